import Foundation
import ImageQuality
import Testing

@testable import ImageKit

@Suite("Encoders")
struct EncodeTests {
    /// A smooth test image (JPEG-friendly) with an optional alpha ramp.
    static func smooth(width: Int = 96, height: Int = 64, alpha: Bool = false) -> PixelBuffer {
        var px: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                px += [UInt8(x * 255 / width), UInt8(y * 255 / height), UInt8((x + y) * 255 / (width + height))]
                if alpha { px.append(UInt8(x * 255 / width)) }
            }
        }
        return try! PixelBuffer(width: width, height: height, channels: alpha ? 4 : 3, pixels: px)
    }

    @Test func pngRoundTripsExactly() throws {
        for image in [Self.smooth(), Self.smooth(alpha: true), patternImage(width: 7, height: 5, channels: 4)] {
            let data = try ImageEncoder.encode(image, options: EncodeOptions(format: .png))
            #expect(ImageFormat.sniff(data) == .png)
            #expect(try ImageDecoder.decode(data).pixels == image)
        }
    }

    @Test func webpLosslessRoundTripsAndLossyIsClose() throws {
        for image in [Self.smooth(), Self.smooth(alpha: true)] {
            let lossless = try ImageEncoder.encode(image, options: EncodeOptions(format: .webp, lossless: true))
            #expect(ImageFormat.sniff(lossless) == .webp)
            // Lossless WebP may change the (invisible) colour of fully transparent pixels.
            let back = try ImageDecoder.decode(lossless).pixels
            #expect(back.channels == image.channels && maxDifference(back.pixels, image.pixels, channels: image.channels) == 0)
        }
        let image = Self.smooth()
        let lossy = try ImageEncoder.encode(image, options: EncodeOptions(format: .webp, quality: 90))
        let back = try ImageDecoder.decode(lossy).pixels
        #expect(try ReferenceImage(resizing: image, width: image.width, height: image.height).psnr(of: back) > 32)
    }

    @Test func jpegIsClose420OptimisedAndOptionallyProgressive() throws {
        let image = Self.smooth()
        let baseline = try ImageEncoder.encode(image, options: EncodeOptions(format: .jpeg, quality: 90))
        let back = try ImageDecoder.decode(baseline).pixels
        #expect(try ReferenceImage(resizing: image, width: image.width, height: image.height).psnr(of: back) > 35)
        let segments = Self.segments(baseline)
        // Baseline SOF0 with 4:2:0: luma sampling 2x2, chroma 1x1.
        let sof = try #require(segments.first { $0.marker == 0xC0 })
        #expect(sof.data[7] == 0x22 && sof.data[10] == 0x11 && sof.data[13] == 0x11)
        // Optimised Huffman tables are fitted to the image: not the standard Annex K luma DC table.
        let standardLumaDC: [UInt8] = [0x00, 0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
        let dht = segments.filter { $0.marker == 0xC4 }
        #expect(!dht.isEmpty)
        #expect(!dht.contains { Array($0.data.prefix(17)) == standardLumaDC })
        let progressive = try ImageEncoder.encode(image, options: EncodeOptions(format: .jpeg, quality: 90, progressive: true))
        #expect(Self.segments(progressive).contains { $0.marker == 0xC2 })
        #expect(try ImageDecoder.decode(progressive).pixels.width == image.width)
        // RGBA is flattened onto white.
        let rgba = try ImageEncoder.encode(Self.smooth(alpha: true), options: EncodeOptions(format: .jpeg))
        #expect(try ImageDecoder.decode(rgba).pixels.channels == 3)
        #expect(throws: ImageError.self) { try ImageEncoder.encode(image, options: EncodeOptions(format: .jpeg, quality: 0)) }
    }

    /// Marker segments before the first scan.
    static func segments(_ b: [UInt8]) -> [(marker: UInt8, data: [UInt8])] {
        var out: [(UInt8, [UInt8])] = []
        var i = 2
        while i + 4 <= b.count, b[i] == 0xFF {
            let m = b[i + 1]
            let len = Int(b[i + 2]) << 8 | Int(b[i + 3])
            out.append((m, Array(b[(i + 4)..<min(b.count, i + 2 + len)])))
            if m == 0xDA { break }
            i += 2 + len
        }
        return out
    }
}

@Suite("Format sniffing and headers")
struct HeaderTests {
    @Test func formatsComeFromBytesNotNames() throws {
        #expect(ImageFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == nil)
        for (bytes, what) in [(Array("GIF89a....".utf8), "GIF"), ([], "empty"), (Array("hello".utf8), "unrecognised")] {
            do {
                _ = try ImageHeader.read(bytes)
                Issue.record("accepted \(what)")
            } catch let e as ImageError {
                #expect(e.code == .unsupportedFormat && e.message.contains(what))
            }
        }
    }

    @Test func everyTruncationOfAValidFileIsATypedErrorOrAValidImage() throws {
        // Cut a PNG and a JPEG at every length: never a crash, never an untyped error, never a
        // partial image. (A PNG cut only inside its final IEND chunk still holds every pixel,
        // checksummed; libpng returns it, and then it must be the whole image.)
        let image = EncodeTests.smooth(width: 20, height: 10)
        let png = try ImageEncoder.encode(image, options: EncodeOptions(format: .png))
        let jpeg = try ImageEncoder.encode(image, options: EncodeOptions(format: .jpeg))
        for data in [png, jpeg] {
            let full = try ImageDecoder.decode(data).pixels
            for n in 0..<data.count {
                do {
                    let cut = try ImageDecoder.decode(Array(data.prefix(n))).pixels
                    #expect(data == png && n >= data.count - 12 && cut == full, "decoded a \(n)-byte prefix")
                } catch is ImageError {}
            }
        }
    }

    @Test func pngHeaderGivesSizeAlphaAndBombsAreRefused() throws {
        var png = try ImageEncoder.encode(EncodeTests.smooth(alpha: true), options: EncodeOptions(format: .png))
        let h = try ImageHeader.read(png)
        #expect(h.format == .png && h.width == 96 && h.height == 64 && h.hasAlpha && h.orientation == .up)
        // Patch IHDR to 100000x100000 (the CRC no longer matters: we must refuse before libpng runs).
        png.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
        do {
            _ = try ImageDecoder.decode(png)
            Issue.record("bomb decoded")
        } catch let e as ImageError { #expect(e.code == .tooLarge) }
    }

    /// A PNG signature, an IHDR for `width`x`height` at `depth` bits (colour type 6, RGBA) and IEND: a header alone.
    static func pngHeader(width: UInt32, height: UInt32, depth: UInt8) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be(13) + Array("IHDR".utf8) + be(width) + be(height)
            + [depth, 6, 0, 0, 0] + be(0) + be(0) + Array("IEND".utf8) + be(0xAE42_6082)
    }

    @Test func sixteenBitPNGsCountTwiceAgainstThePixelLimit() throws {
        // 30x30 = 900 pixels: within a 1,000-pixel limit at 8 bits, over it at 16 (1,800 bytes' worth).
        #expect(try ImageHeader.read(Self.pngHeader(width: 30, height: 30, depth: 8), maxPixels: 1000).bytesPerSample == 1)
        let sixteen = Self.pngHeader(width: 30, height: 30, depth: 16)
        for limit in [1000, 1799] {
            do {
                _ = try ImageDecoder.decode(sixteen, options: DecodeOptions(maxPixels: limit))
                Issue.record("a 16-bit 30x30 PNG passed a \(limit)-pixel limit")
            } catch let e as ImageError {
                #expect(e.code == .tooLarge)
                #expect(e.message.contains("16-bit") && e.message.contains("\(limit / 2)"), "\(e.message)")
            }
        }
        #expect(try ImageHeader.read(sixteen, maxPixels: 1800).bytesPerSample == 2)
        // The default limit: 100 MP at 8 bits, 50 MP at 16 (a 7100x7100 16-bit PNG is refused from its header).
        #expect(throws: ImageError.self) { try ImageHeader.read(Self.pngHeader(width: 7100, height: 7100, depth: 16)) }
        #expect(try ImageHeader.read(Self.pngHeader(width: 7100, height: 7100, depth: 8)).width == 7100)
    }
}

@Suite("WebP decoding", .enabled(if: TestData.pillowAvailable, "needs python3 with Pillow"))
struct WebPDecodeTests {
    /// WebP files (made by libwebp here, since the shared test data has none) decode like Pillow.
    @Test func webpMatchesPillow() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imagekit-webp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, PixelBuffer, EncodeOptions)] = [
            ("lossy.webp", EncodeTests.smooth(width: 61, height: 37), EncodeOptions(format: .webp, quality: 80)),
            ("lossless.webp", patternImage(width: 13, height: 9), EncodeOptions(format: .webp, lossless: true)),
            ("alpha.webp", EncodeTests.smooth(width: 40, height: 30, alpha: true), EncodeOptions(format: .webp, lossless: true)),
            ("lossy-alpha.webp", EncodeTests.smooth(width: 40, height: 30, alpha: true), EncodeOptions(format: .webp, quality: 90)),
        ]
        var urls: [URL] = []
        for (name, image, options) in cases {
            let url = dir.appendingPathComponent(name)
            try Data(ImageEncoder.encode(image, options: options)).write(to: url)
            urls.append(url)
        }
        let refs = try TestData.references(urls)
        for url in urls {
            let ours = try ImageDecoder.decode(TestData.bytes(url)).pixels
            guard case .success(let ref) = refs[url] else {
                Issue.record("Pillow failed on \(url.lastPathComponent)")
                continue
            }
            #expect(ours.width == ref.width && ours.height == ref.height && ours.channels == ref.channels, "\(url.lastPathComponent)")
            if ours.pixels.count == ref.pixels.count {
                // Pillow bundles a newer libwebp; lossy YUV-to-RGB may round differently by one.
                let tolerance = url.lastPathComponent.hasPrefix("lossy") ? 2 : 0
                let diff = maxDifference(ours.pixels, ref.pixels, channels: ours.channels)
                #expect(diff <= tolerance, "\(url.lastPathComponent): max difference \(diff)")
            }
        }
    }
}
