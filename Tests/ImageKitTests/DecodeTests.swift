import ContainerKit
import Foundation
import Testing

@testable import ImageKit

@Suite("Decoding real files", .enabled(if: TestData.available, "needs ../shared/testdata"))
struct DecodeTests {
    /// Decodes each file (stored colours: Pillow does not colour-manage) and compares with Pillow's decode.
    private func compareWithPillow(_ files: [URL], expectedFailures: [String: ImageError.Code] = [:]) throws {
        let references = try TestData.references(files)
        for url in files {
            let name = url.lastPathComponent
            let bytes = try TestData.bytes(url)
            if let code = expectedFailures[name] {
                #expect(throws: ImageError.self, "\(name) should be refused") {
                    try ImageDecoder.decode(bytes, options: DecodeOptions(applyOrientation: false))
                }
                do { _ = try ImageDecoder.decode(bytes, options: DecodeOptions(applyOrientation: false)) } catch let e as ImageError {
                    #expect(e.code == code, "\(name): \(e.message)")
                }
                continue
            }
            let decoded: DecodedImage
            do {
                decoded = try ImageDecoder.decode(bytes, options: DecodeOptions(applyOrientation: false, colorManaged: false))
            } catch {
                Issue.record("\(name): \(error)")
                continue
            }
            guard case .success(let ref) = references[url] else {
                Issue.record("\(name): Pillow could not decode it but we did")
                continue
            }
            let px = decoded.pixels
            #expect(
                px.width == ref.width && px.height == ref.height && px.channels == ref.channels,
                "\(name): \(px.width)x\(px.height)x\(px.channels) vs Pillow \(ref.width)x\(ref.height)x\(ref.channels)")
            guard px.pixels.count == ref.pixels.count else { continue }
            let diff = maxDifference(px.pixels, ref.pixels, channels: px.channels)
            #expect(diff <= ref.tolerance, "\(name): max difference \(diff) > \(ref.tolerance)")
        }
    }

    @Test(.enabled(if: TestData.pillowAvailable, "needs python3 with Pillow"))
    func pngSuiteMatchesPillowAndCorruptOnesAreRefused() throws {
        let files = TestData.files("png/pngsuite", extensions: ["png"])
        #expect(files.count > 90)
        var failures: [String: ImageError.Code] = [:]
        for url in files where url.lastPathComponent.hasPrefix("x") { failures[url.lastPathComponent] = .corrupt }
        try compareWithPillow(files, expectedFailures: failures.merging(corruptPNGCodes) { $1 })
    }

    /// PngSuite's x*.png whose 8-byte signature is damaged: they are not recognisable as PNG
    /// at all, so they are refused as an unsupported format rather than a corrupt PNG.
    private var corruptPNGCodes: [String: ImageError.Code] {
        [
            "xcrn0g04.png": .unsupportedFormat, "xlfn0g04.png": .unsupportedFormat,
            "xs1n0g01.png": .unsupportedFormat, "xs2n0g01.png": .unsupportedFormat,
        ]
    }

    @Test(.enabled(if: TestData.pillowAvailable, "needs python3 with Pillow"))
    func otherPNGsMatchPillow() throws {
        try compareWithPillow(TestData.files("png/other", extensions: ["png"]))
    }

    @Test(.enabled(if: TestData.pillowAvailable, "needs python3 with Pillow"))
    func jpegVariantsMatchPillow() throws {
        let files = TestData.files("jpeg")
        #expect(files.count >= 30)
        try compareWithPillow(
            files,
            expectedFailures: [
                // Lossless JPEG (SOF3) needs libjpeg-turbo 3; 2.1.5 cannot decode it.
                "jpeg_lossless_sel1.jpg": .unsupportedFormat,
                "sharp_testimgl_lossless.jpg": .unsupportedFormat,
            ])
    }
}

@Suite("PNG interlacing", .enabled(if: TestData.available, "needs ../shared/testdata"))
struct PNGInterlaceTests {
    /// Every PngSuite basi* (Adam7) image decodes to the same pixels as its basn* twin.
    @Test func adam7MatchesSequential() throws {
        let dir = TestData.root.appendingPathComponent("png/pngsuite")
        let interlaced = TestData.files("png/pngsuite", extensions: ["png"]).filter { $0.lastPathComponent.hasPrefix("basi") }
        #expect(interlaced.count >= 4)
        for url in interlaced {
            let twin = dir.appendingPathComponent("basn" + url.lastPathComponent.dropFirst(4))
            let a = try ImageDecoder.decode(TestData.bytes(url)).pixels
            let b = try ImageDecoder.decode(TestData.bytes(twin)).pixels
            #expect(a.width == b.width && a.height == b.height && a.channels == b.channels)
            if a.pixels.count == b.pixels.count {
                let diffIdx = zip(a.pixels, b.pixels).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
                #expect(
                    diffIdx.isEmpty,
                    "\(url.lastPathComponent): \(diffIdx.count) samples differ, first \(diffIdx.prefix(8).map { ($0, a.pixels[$0], b.pixels[$0]) })"
                )
            }
        }
    }
}

@Suite("JPEG decoding cost is bounded")
struct JPEGScanBombTests {
    @Test func aJPEGWithThousandsOfScansIsRefusedBeforeDecoding() throws {
        let image = try PixelBuffer(width: 16, height: 16, channels: 3, pixels: [UInt8](repeating: 128, count: 16 * 16 * 3))
        let jpeg = try ImageEncoder.encode(image, options: EncodeOptions(format: .jpeg))
        #expect(ContainerScan(jpeg)?.jpeg?.scans == 1)
        _ = try ImageDecoder.decode(jpeg)
        // Near-empty scans (a one-component SOS header, no data) inserted before EOI: the shape of a
        // progressive-JPEG bomb, which libjpeg-turbo would otherwise decode pass after pass.
        let scan: [UInt8] = [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]
        let bomb = Array(jpeg.dropLast(2)) + (0..<100_000).flatMap { _ in scan } + [0xFF, 0xD9]
        #expect(ContainerScan(bomb)?.jpeg?.scans == JPEGStructure.scanCountLimit + 1, "counting stops past the limit")
        let error = try #require(throws: ImageError.self) { try ImageHeader.read(bomb) }
        #expect(error.code == .corrupt && error.message.contains("scans"), "\(error)")
        // At the limit the check lets the file through to libjpeg-turbo.
        let many = Array(jpeg.dropLast(2)) + (0..<(ImageHeader.maxJPEGScans - 1)).flatMap { _ in scan } + [0xFF, 0xD9]
        #expect(ContainerScan(many)?.jpeg?.scans == ImageHeader.maxJPEGScans)
        _ = try ImageHeader.read(many)
    }
}
