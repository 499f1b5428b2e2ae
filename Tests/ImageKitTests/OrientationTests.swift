import Foundation
import ImageQuality
import Testing

@testable import ImageKit

/// Builds a small image whose every pixel is distinct.
func patternImage(width: Int, height: Int, channels: Int = 3) -> PixelBuffer {
    var px: [UInt8] = []
    for y in 0..<height {
        for x in 0..<width {
            px += [UInt8(x * 40 % 256), UInt8(y * 40 % 256), UInt8((x + 7 * y) % 256)]
            if channels == 4 { px.append(UInt8(255 - (x + y) % 200)) }
        }
    }
    return try! PixelBuffer(width: width, height: height, channels: channels, pixels: px)
}

@Suite("EXIF orientation")
struct OrientationTests {
    // Independent primitives: orientations are compositions of these.
    static func pixel(_ b: PixelBuffer, _ x: Int, _ y: Int) -> ArraySlice<UInt8> {
        b.pixels[((y * b.width + x) * b.channels)..<((y * b.width + x + 1) * b.channels)]
    }
    static func remap(_ b: PixelBuffer, width: Int, height: Int, _ f: (Int, Int) -> (Int, Int)) -> PixelBuffer {
        var px: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let (sx, sy) = f(x, y)
                px += pixel(b, sx, sy)
            }
        }
        return try! PixelBuffer(width: width, height: height, channels: b.channels, pixels: px)
    }
    static func flipH(_ b: PixelBuffer) -> PixelBuffer { remap(b, width: b.width, height: b.height) { (b.width - 1 - $0, $1) } }
    static func flipV(_ b: PixelBuffer) -> PixelBuffer { remap(b, width: b.width, height: b.height) { ($0, b.height - 1 - $1) } }
    static func transpose(_ b: PixelBuffer) -> PixelBuffer { remap(b, width: b.height, height: b.width) { ($1, $0) } }

    @Test(arguments: Orientation.allCases)
    func syntheticOrientationMatchesComposedFlips(_ o: Orientation) {
        for ch in [3, 4] {
            let src = patternImage(width: 5, height: 3, channels: ch)
            let expected: PixelBuffer =
                switch o {
                case .up: src
                case .upMirrored: Self.flipH(src)
                case .down: Self.flipV(Self.flipH(src))
                case .downMirrored: Self.flipV(src)
                case .leftMirrored: Self.transpose(src)
                case .right: Self.flipH(Self.transpose(src)) // 90 degrees clockwise
                case .rightMirrored: Self.flipV(Self.flipH(Self.transpose(src)))
                case .left: Self.flipV(Self.transpose(src)) // 90 degrees counter-clockwise
                }
            #expect(src.applying(o) == expected, "orientation \(o.rawValue), \(ch) channels")
            let size = o.displayedSize(width: 5, height: 3)
            #expect(size.width == expected.width && size.height == expected.height)
        }
    }

    @Test(
        .enabled(if: TestData.available, "needs ../shared/testdata"),
        .enabled(if: TestData.pillowAvailable, "needs python3 with Pillow"))
    func realFilesMatchPillowsExifTranspose() throws {
        let files = TestData.files("exif/orientation", extensions: ["jpg"])
        #expect(files.count >= 15)
        let refs = try TestData.references(files, upright: true)
        for url in files {
            let name = url.lastPathComponent
            let decoded = try ImageDecoder.decode(TestData.bytes(url), options: DecodeOptions(colorManaged: false))
            if let n = Int(name.split(separator: "_").last!.prefix(while: \.isNumber)) {
                #expect(decoded.header.orientation.rawValue == n, "\(name)")
            }
            guard case .success(let ref) = refs[url] else {
                Issue.record("no reference for \(name)")
                continue
            }
            #expect(decoded.pixels.width == ref.width && decoded.pixels.height == ref.height, "\(name)")
            if decoded.pixels.pixels.count == ref.pixels.count {
                #expect(maxDifference(decoded.pixels.pixels, ref.pixels) == 0, "\(name)")
            }
        }
    }

    @Test(.enabled(if: TestData.available, "needs ../shared/testdata"))
    func thumbnailsOfRotatedFilesAreUpright() throws {
        // landscape_N is one photo stored in orientation N (each with its digit drawn in): of the
        // 8 ways to turn N's stored pixels, the one its EXIF names must match landscape_1 best,
        // and the thumbnailer must produce that one.
        let dir = TestData.root.appendingPathComponent("exif/orientation")
        let size = ThumbnailSize("120x120")!
        let uprightBytes = try TestData.bytes(dir.appendingPathComponent("landscape_1.jpg"))
        let upright = try ImageDecoder.decode(uprightBytes).pixels
        let uprightThumb = try Thumbnailer.make(from: uprightBytes, sizes: [size]).thumbnails[0].image
        let reference = ReferenceImage(resizing: upright, width: upright.width, height: upright.height)
        for n in 2...8 {
            let bytes = try TestData.bytes(dir.appendingPathComponent("landscape_\(n).jpg"))
            let stored = try ImageDecoder.decode(bytes, options: DecodeOptions(applyOrientation: false))
            #expect(stored.header.orientation.rawValue == n)
            var scores: [(Orientation, Double)] = []
            for o in Orientation.allCases {
                let candidate = stored.pixels.applying(o)
                guard candidate.width == upright.width, candidate.height == upright.height else { continue }
                scores.append((o, try reference.psnr(of: candidate)))
            }
            let best = scores.max { $0.1 < $1.1 }!
            #expect(best.0.rawValue == n, "landscape_\(n): best match is orientation \(best.0.rawValue) (\(scores))")
            #expect(best.1 > 20)
            let thumb = try Thumbnailer.make(from: bytes, sizes: [size]).thumbnails[0].image
            let expected = try Resampler.resize(stored.pixels.applying(stored.header.orientation), width: thumb.width, height: thumb.height)
            #expect(thumb.width == uprightThumb.width && thumb.height == uprightThumb.height)
            // Not identical: the thumbnailer decodes DCT-scaled, `expected` from the full decode.
            let psnr = try ReferenceImage(resizing: expected, width: expected.width, height: expected.height).psnr(of: thumb)
            #expect(psnr > 35, "landscape_\(n): PSNR \(psnr)")
        }
    }
}
