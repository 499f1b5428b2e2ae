import Foundation
import Testing

@testable import ImageKit

/// Embedded ICC profiles and HEIF `nclx` converted to sRGB before resampling.
@Suite("Colour management", .enabled(if: TestData.phoneAvailable, "needs ../shared/testdata/phone"))
struct ColorManagementTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/icc_reference.py")

    /// Pillow/ImageCms references for `files` at `size`: path -> (width, height, RGB).
    static func references(_ files: [String], size: Int) throws -> [String: (Int, Int, [UInt8])] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("icc-ref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try TestData.run(["python3", script.path, dir.path, "\(size)"] + files)
        let index = try String(contentsOf: dir.appendingPathComponent("index.tsv"), encoding: .utf8)
        var result: [String: (Int, Int, [UInt8])] = [:]
        for (n, line) in index.split(separator: "\n").enumerated() {
            let f = line.split(separator: "\t").map(String.init)
            guard f.count == 3, let w = Int(f[1]), let h = Int(f[2]) else { continue }
            result[f[0]] = (w, h, [UInt8](try Data(contentsOf: dir.appendingPathComponent("\(n).raw"))))
        }
        return result
    }

    @Test(
        "thumbnails of ICC-tagged JPEG/PNG match an lcms2 sRGB conversion of the full image (PSNR >= 40 dB at 1024 px)",
        .enabled(if: TestData.pillowAvailable, "needs python3 with Pillow"))
    func iccThumbnailsMatchLittleCMS() throws {
        let files = TestData.files("phone/icc").filter { $0.pathExtension != "json" }.map(\.path)
        #expect(files.count >= 8)
        let refs = try Self.references(files, size: 1024)
        var improved = 0
        for path in files {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let bytes = try TestData.bytes(URL(fileURLWithPath: path))
            let header = try ImageHeader.read(bytes)
            #expect(header.colorProfile != nil, "\(name): its ICC profile was not found")
            guard let (w, h, rgb) = refs[path] else {
                Issue.record("\(name): no ImageCms reference")
                continue
            }
            let thumb = try Thumbnailer.make(from: bytes, sizes: [ThumbnailSize(width: 1024, height: 1024, crop: false)!]).thumbnails[0]
                .image
            guard (thumb.width, thumb.height) == (w, h) else {
                Issue.record("\(name): \(thumb.width)x\(thumb.height) vs reference \(w)x\(h)")
                continue
            }
            let reference = PixelBuffer(uncheckedWidth: w, height: h, channels: 3, pixels: rgb)
            let db = HEIFDecodeTests.psnr(thumb, reference)
            let untouched = try Thumbnailer.make(
                from: bytes, sizes: [ThumbnailSize(width: 1024, height: 1024, crop: false)!], colorManaged: false
            )
            .thumbnails[0].image
            let dbUnmanaged = HEIFDecodeTests.psnr(untouched, reference)
            #expect(db >= 40, "\(name): PSNR \(db) dB against ImageCms (without colour management: \(dbUnmanaged) dB)")
            if db > dbUnmanaged + 1 { improved += 1 }
        }
        // The conversion matters: most of these profiles are far from sRGB.
        #expect(improved >= files.count / 2)
    }

    @Test("untagged and sRGB-tagged images are left bit for bit as they were")
    func srgbAndUntaggedUnchanged() throws {
        let files = TestData.files("jpeg") + TestData.files("exif").prefix(20) + TestData.files("png/pngsuite").prefix(30)
        var checked = 0
        for url in files where ["jpg", "jpeg", "png"].contains(url.pathExtension.lowercased()) {
            let bytes = try TestData.bytes(url)
            guard let header = try? ImageHeader.read(bytes) else { continue }
            if case .icc(let icc)? = header.colorProfile, let p = LCMSProfile(.icc(icc)), !p.isSRGB { continue }
            let managed = try? ImageDecoder.decode(bytes)
            let plain = try? ImageDecoder.decode(bytes, options: DecodeOptions(colorManaged: false))
            #expect(managed?.pixels == plain?.pixels, "\(url.lastPathComponent)")
            checked += 1
        }
        #expect(checked >= 20)
    }

    @Test("Display P3 nclx (AVIF) and ICC (iPhone HEIC) are converted; sRGB nclx is not")
    func heifProfiles() throws {
        let p3 = try ImageHeader.read(TestData.bytes(TestData.root.appendingPathComponent("phone/heic/tifig_1_portrait.heic")))
        guard case .icc? = p3.colorProfile else {
            Issue.record("an iPhone HEIC carries a Display P3 ICC profile (colr prof)")
            return
        }
        // A pure P3 red is outside sRGB: clipped to 255, 0, 0 at most; a P3 mid grey stays grey.
        let red = PixelBuffer(uncheckedWidth: 2, height: 1, channels: 3, pixels: [255, 0, 0, 128, 128, 128])
        let converted = ColorConverter.toSRGB(red, profile: .nclx(primaries: 12, transfer: 13))
        #expect(converted.pixels[0] == 255 && converted.pixels[1] < 10 && converted.pixels[2] < 10)
        #expect(abs(Int(converted.pixels[3]) - 128) <= 1 && converted.pixels[3] == converted.pixels[4])
        #expect(ColorConverter.toSRGB(red, profile: .nclx(primaries: 1, transfer: 13)) == red)
        // PQ (HDR) is not tone mapped: left as decoded.
        #expect(ColorConverter.toSRGB(red, profile: .nclx(primaries: 9, transfer: 16)) == red)
        // A damaged profile is ignored.
        #expect(ColorConverter.toSRGB(red, profile: .icc([UInt8](repeating: 7, count: 200))) == red)
    }
}
