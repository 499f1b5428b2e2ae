import CLCMS2
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
            if case .icc(let icc)? = header.colorProfile, let p = LCMSProfile(icc: icc), !p.isSRGB { continue }
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
        // A damaged profile is ignored.
        #expect(ColorConverter.toSRGB(red, profile: .icc([UInt8](repeating: 7, count: 200))) == red)
    }

    /// An RGB profile made by lcms2: `primaries` (x, y of red, green, blue; D65 white) with sRGB's
    /// curve, described as `description`.
    static func profile(primaries xy: [Double], description: String) throws -> [UInt8] {
        var white = cmsCIExyY(x: 0.3127, y: 0.3290, Y: 1)
        var triple = cmsCIExyYTRIPLE(
            Red: cmsCIExyY(x: xy[0], y: xy[1], Y: 1), Green: cmsCIExyY(x: xy[2], y: xy[3], Y: 1), Blue: cmsCIExyY(x: xy[4], y: xy[5], Y: 1))
        let parameters: [cmsFloat64Number] = [2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045]
        let curve = try #require(cmsBuildParametricToneCurve(nil, 4, parameters))
        defer { cmsFreeToneCurve(curve) }
        var curves: [OpaquePointer?] = [curve, curve, curve]
        let h = try #require(curves.withUnsafeMutableBufferPointer { cmsCreateRGBProfile(&white, &triple, $0.baseAddress) })
        defer { cmsCloseProfile(h) }
        let text = try #require(cmsMLUalloc(nil, 1))
        defer { cmsMLUfree(text) }
        cmsMLUsetASCII(text, "en", "US", description)
        #expect(cmsWriteTag(h, cmsSigProfileDescriptionTag, UnsafeRawPointer(text)) != 0)
        var size: cmsUInt32Number = 0
        #expect(cmsSaveProfileToMem(h, nil, &size) != 0)
        var bytes = [UInt8](repeating: 0, count: Int(size))
        #expect(bytes.withUnsafeMutableBytes { cmsSaveProfileToMem(h, $0.baseAddress, &size) } != 0)
        return bytes
    }

    @Test("sRGB is recognised by its colorants and curves, not by its description")
    func srgbByContent() throws {
        let srgb = [0.64, 0.33, 0.30, 0.60, 0.15, 0.06]
        let p3 = [0.680, 0.320, 0.265, 0.690, 0.150, 0.060]
        let renamedSRGB = try Self.profile(primaries: srgb, description: "Camera RGB Profile")
        let misnamedP3 = try Self.profile(primaries: p3, description: "sRGB IEC61966-2.1")
        #expect(try #require(LCMSProfile(icc: renamedSRGB)).isSRGB)
        #expect(try !#require(LCMSProfile(icc: misnamedP3)).isSRGB)
        let ramp = PixelBuffer(uncheckedWidth: 256, height: 1, channels: 3, pixels: (0..<768).map { UInt8(($0 * 7 + $0 / 3) % 256) })
        #expect(ColorConverter.toSRGB(ramp, profile: .icc(renamedSRGB)) == ramp, "an sRGB profile under another name costs nothing")
        #expect(ColorConverter.toSRGB(ramp, profile: .icc(misnamedP3)) != ramp, "a P3 profile named sRGB is converted")
        // Every real profile of the phone set is wider than sRGB (Display P3, Adobe RGB, ProPhoto...).
        for url in TestData.files("phone/icc").filter({ $0.pathExtension != "json" }) {
            guard case .icc(let icc)? = try ImageHeader.read(TestData.bytes(url)).colorProfile else { continue }
            #expect(LCMSProfile(icc: icc)?.isSRGB == false, "\(url.lastPathComponent)")
        }
    }

    @Test("the matrix-shaper conversion agrees with lcms2's own transform")
    func matrixShaperMatchesLittleCMS() throws {
        // Every 8-bit RGB value on a 4-step lattice, through Display P3 (Apple's ICC) both ways.
        let url = TestData.root.appendingPathComponent("phone/heic/tifig_1_portrait.heic")
        guard case .icc(let icc)? = try ImageHeader.read(TestData.bytes(url)).colorProfile else {
            Issue.record("an iPhone HEIC carries a Display P3 ICC profile")
            return
        }
        let values = stride(from: 0, through: 255, by: 4).map { UInt8($0) } + [255]
        var lattice: [UInt8] = []
        for r in values { for g in values { for b in values { lattice += [r, g, b] } } }
        let image = PixelBuffer(uncheckedWidth: lattice.count / 3, height: 1, channels: 3, pixels: lattice)
        let source = try #require(LCMSProfile(icc: icc))
        let shaper = try #require(MatrixShaper(source, bitDepth: 8), "Display P3 is a matrix-shaper profile")
        let transform = try #require(LCMSTransform(from: source, format: ImagiconTypeRGB8))
        let ours = image.pixels.withUnsafeBytes {
            shaper.apply(SampleRows(base: $0.baseAddress!, stride: lattice.count, width: image.width, height: 1, channels: 3, bitDepth: 8))
        }
        let theirs = image.pixels.withUnsafeBytes {
            transform.apply(
                SampleRows(base: $0.baseAddress!, stride: lattice.count, width: image.width, height: 1, channels: 3, bitDepth: 8),
                outputChannels: 3)
        }
        let worst = zip(ours.pixels, theirs.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= 1, "largest difference \(worst) steps")
        #expect(HEIFDecodeTests.psnr(ours, theirs) > 50)
    }

    @Test("planar samples (libheif's RGB planes) convert and copy exactly as the same samples interleaved, 8-bit and 10-bit")
    func planarRowsMatchInterleaved() throws {
        let url = TestData.root.appendingPathComponent("phone/heic/tifig_1_portrait.heic")
        guard case .icc(let icc)? = try ImageHeader.read(TestData.bytes(url)).colorProfile else {
            Issue.record("an iPhone HEIC carries a Display P3 ICC profile")
            return
        }
        let source = try #require(LCMSProfile(icc: icc))
        let (width, height) = (67, 5)
        for bitDepth in [8, 10] {
            let shaper = try #require(MatrixShaper(source, bitDepth: bitDepth))
            let maximum = (1 << bitDepth) - 1
            let sampleBytes = bitDepth > 8 ? 2 : 1
            // Planes with padded rows of different strides; the same samples interleaved.
            let strides = [width * sampleBytes + 3, width * sampleBytes + 17, width * sampleBytes]
            var planes = strides.map { [UInt8](repeating: 0xEE, count: $0 * height) }
            var interleaved = [UInt8](repeating: 0, count: width * height * 3 * sampleBytes)
            for y in 0..<height {
                for x in 0..<width {
                    for c in 0..<3 {
                        let v = (x * 37 + y * 101 + c * 53) * 7 % (maximum + 1)
                        let bytes = sampleBytes == 2 ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v)]
                        for (k, b) in bytes.enumerated() {
                            planes[c][y * strides[c] + x * sampleBytes + k] = b
                            interleaved[((y * width + x) * 3 + c) * sampleBytes + k] = b
                        }
                    }
                }
            }
            let (a, b, c) = (planes[0], planes[1], planes[2])
            let planar = a.withUnsafeBytes { pa in
                b.withUnsafeBytes { pb in
                    c.withUnsafeBytes { pc in
                        let rows = SampleRows(
                            planes: [pa.baseAddress!, pb.baseAddress!, pc.baseAddress!], strides: strides, width: width, height: height,
                            bitDepth: bitDepth)
                        #expect(rows.interleaved == nil)
                        return (shaper.apply(rows), rows.eightBit())
                    }
                }
            }
            let packed = interleaved.withUnsafeBytes {
                let rows = SampleRows(
                    base: $0.baseAddress!, stride: width * 3 * sampleBytes, width: width, height: height, channels: 3, bitDepth: bitDepth)
                #expect((rows.interleaved != nil) == (bitDepth == 8))
                return (shaper.apply(rows), rows.eightBit())
            }
            #expect(planar.0 == packed.0, "\(bitDepth)-bit conversion")
            #expect(planar.1 == packed.1, "\(bitDepth)-bit copy")
            #expect(planar.0 != planar.1, "Display P3 changes the samples")
        }
    }

    @Test("PQ and HLG are tone mapped: reference white near white, black black, highlights rolled off, never clipped early")
    func hdrToneMapped() throws {
        // PQ code values (8-bit) for 0, ~100, ~203 (BT.2408 reference white), ~1000 and 10,000 cd/m².
        func pq(_ nits: Double) -> UInt8 {
            let m1 = 2610.0 / 16384
            let m2 = 2523.0 / 4096 * 128
            let c1 = 3424.0 / 4096
            let c2 = 2413.0 / 4096 * 32
            let c3 = 2392.0 / 4096 * 32
            let y = pow(nits / 10_000, m1)
            return UInt8((pow((c1 + c2 * y) / (1 + c3 * y), m2) * 255).rounded())
        }
        let levels: [UInt8] = [0, pq(100), pq(203), pq(1000), 255]
        let greys = PixelBuffer(uncheckedWidth: levels.count, height: 1, channels: 3, pixels: levels.flatMap { [$0, $0, $0] })
        let mapped = ColorConverter.toSRGB(greys, profile: .nclx(primaries: 9, transfer: 16)).pixels
        let out = stride(from: 0, to: mapped.count, by: 3).map { Int(mapped[$0]) }
        #expect(out[0] == 0)
        #expect((170...200).contains(out[1]), "100 cd/m² is about half of SDR white's light: \(out)")
        #expect((238...250).contains(out[2]), "reference white just below white (the roll-off starts at 0.8): \(out)")
        #expect(out[3] > out[2] && out[3] >= 253, "1000 cd/m² near white: \(out)")
        #expect(out[4] == 255)
        for i in 0..<levels.count {
            let (r, g, b) = (Int(mapped[3 * i]), Int(mapped[3 * i + 1]), Int(mapped[3 * i + 2]))
            #expect(abs(r - g) <= 1 && abs(g - b) <= 1, "greys stay grey: \(r), \(g), \(b)")
        }
        // HLG: 75 % signal is reference white; BT.709 primaries are tone mapped too.
        let hlg = ColorConverter.toSRGB(
            PixelBuffer(uncheckedWidth: 2, height: 1, channels: 3, pixels: [191, 191, 191, 255, 255, 255]),
            profile: .nclx(primaries: 1, transfer: 18)
        ).pixels
        #expect((238...250).contains(Int(hlg[0])) && hlg[3] >= 253, "\(hlg)")
        // Unknown transfer characteristics are left as decoded.
        #expect(ColorConverter.toSRGB(greys, profile: .nclx(primaries: 9, transfer: 99)) == greys)
    }

    @Test("a 10-bit PQ AVIF is tone mapped from its 10-bit samples")
    func hdrAVIF() throws {
        let bytes = try TestData.bytes(TestData.root.appendingPathComponent("phone/avif/immich_10bit-HDR-P3-nclx.avif"))
        let header = try ImageHeader.read(bytes)
        #expect(header.colorProfile == .nclx(primaries: 12, transfer: 16))
        let stored = try ImageDecoder.decode(bytes, options: DecodeOptions(colorManaged: false)).pixels
        let mapped = try ImageDecoder.decode(bytes).pixels
        func mean(_ p: PixelBuffer) -> Double { Double(p.pixels.reduce(0) { $0 + Int($1) }) / Double(p.pixels.count) }
        // PQ stores SDR-range light in the lower ~58 % of its codes: mapped, the picture is brighter.
        #expect(mean(mapped) > mean(stored) + 20, "mean \(mean(stored)) -> \(mean(mapped))")
        #expect(HEIFDecodeTests.psnr(mapped, stored) < 25)
    }

    static let cmykFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test(
        "CMYK JPEGs: through their profile when they carry one (as lcms2 converts), else as Pillow converts",
        .enabled(if: TestData.pillowAvailable, "needs python3 with Pillow"))
    func cmyk() throws {
        // Fixtures made by Fixtures/make_cmyk_fixture.py: a 64x48 Adobe CMYK JPEG with and without a
        // small lcms2-made CMYK profile.
        let tagged = Self.cmykFixtures.appendingPathComponent("cmyk_profile.jpg")
        let plain = Self.cmykFixtures.appendingPathComponent("cmyk_plain.jpg")
        let taggedHeader = try ImageHeader.read(TestData.bytes(tagged))
        guard case .icc? = taggedHeader.colorProfile else {
            Issue.record("the CMYK profile was not found")
            return
        }
        let managed = try ImageDecoder.decode(TestData.bytes(tagged)).pixels
        let naive = try ImageDecoder.decode(TestData.bytes(tagged), options: DecodeOptions(colorManaged: false)).pixels
        let (w, h, rgb) = try #require(try Self.references([tagged.path], size: 1024)[tagged.path])
        #expect((managed.width, managed.height, managed.channels) == (w, h, 3))
        let reference = PixelBuffer(uncheckedWidth: w, height: h, channels: 3, pixels: rgb)
        #expect(HEIFDecodeTests.psnr(managed, reference) >= 40, "against ImageCms")
        #expect(HEIFDecodeTests.psnr(naive, reference) < 30, "the profile matters")
        // Without a profile: Pillow's CMYK conversion, which also is what colour management off gives.
        let pillow = try #require(try TestData.references([plain])[plain])
        guard case .success(let p) = pillow else {
            Issue.record("Pillow could not decode the plain CMYK fixture")
            return
        }
        let decodedPlain = try ImageDecoder.decode(TestData.bytes(plain)).pixels
        #expect(
            HEIFDecodeTests.psnr(decodedPlain, PixelBuffer(uncheckedWidth: p.width, height: p.height, channels: 3, pixels: p.pixels)) >= 45)
        #expect(HEIFDecodeTests.psnr(decodedPlain, naive) >= 45, "the same picture, unmanaged")
    }
}
