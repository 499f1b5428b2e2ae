import Foundation
import Testing
@testable import ImageKit

@Suite("Encoders")
struct EncodeTests {
    /// A smooth test image (JPEG-friendly) with an optional alpha ramp.
    static func smooth(width: Int = 96, height: Int = 64, alpha: Bool = false) -> PixelBuffer {
        var px: [UInt8] = []
        for y in 0..<height { for x in 0..<width {
            px += [UInt8(x * 255 / width), UInt8(y * 255 / height), UInt8((x + y) * 255 / (width + height))]
            if alpha { px.append(UInt8(x * 255 / width)) }
        } }
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
            #expect(try ImageDecoder.decode(lossless).pixels == image)
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
            do { _ = try ImageHeader.read(bytes); Issue.record("accepted \(what)") } catch let e as ImageError {
                #expect(e.code == .unsupportedFormat && e.message.contains(what))
            }
        }
    }

    @Test func everyTruncationOfAValidFileIsATypedErrorOrAValidImage() throws {
        // Cut a PNG and a JPEG at every length: never a crash, never an untyped error.
        let png = try ImageEncoder.encode(EncodeTests.smooth(width: 20, height: 10), options: EncodeOptions(format: .png))
        let jpeg = try ImageEncoder.encode(EncodeTests.smooth(width: 20, height: 10), options: EncodeOptions(format: .jpeg))
        for data in [png, jpeg] {
            for n in 0..<data.count {
                do { _ = try ImageDecoder.decode(Array(data.prefix(n))); Issue.record("decoded a \(n)-byte prefix") } catch is ImageError {}
            }
        }
    }

    @Test func pngHeaderGivesSizeAlphaAndBombsAreRefused() throws {
        var png = try ImageEncoder.encode(EncodeTests.smooth(alpha: true), options: EncodeOptions(format: .png))
        let h = try ImageHeader.read(png)
        #expect(h.format == .png && h.width == 96 && h.height == 64 && h.hasAlpha && h.orientation == .up)
        // Patch IHDR to 100000x100000 (the CRC no longer matters: we must refuse before libpng runs).
        png.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
        do { _ = try ImageDecoder.decode(png); Issue.record("bomb decoded") } catch let e as ImageError { #expect(e.code == .tooLarge) }
    }
}
