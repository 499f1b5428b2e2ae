import Foundation
import ImageQuality
import Testing

@testable import ImageKit

@Suite("Thumbnail sizes and resampling")
struct ResizeTests {
    @Test func sizeParsing() {
        #expect(ThumbnailSize("200x200") == ThumbnailSize(width: 200, height: 200, crop: false))
        #expect(ThumbnailSize("1024x768c") == ThumbnailSize(width: 1024, height: 768, crop: true))
        #expect(ThumbnailSize("200x200")?.description == "200x200")
        #expect(ThumbnailSize("64x32c")?.description == "64x32c")
        for bad in ["", "200", "x200", "200x", "0x10", "10x0", "-5x10", "20x20cc", "20X20", "1e3x10", "99999999x1", "10x10 ", "１x1"] {
            #expect(ThumbnailSize(bad) == nil, "\(bad)")
        }
    }

    @Test func fitKeepsAspectAndNeverEnlarges() {
        let fit = ThumbnailSize("1024x1024")!
        let l = fit.layout(imageWidth: 6000, imageHeight: 4000)
        #expect(l.width == 1024 && l.height == 683)
        let tall = fit.layout(imageWidth: 1000, imageHeight: 3000)
        #expect(tall.width == 341 && tall.height == 1024)
        let small = fit.layout(imageWidth: 300, imageHeight: 200)
        #expect(small.width == 300 && small.height == 200)
        let thin = ThumbnailSize("200x200")!.layout(imageWidth: 10000, imageHeight: 1)
        #expect(thin.width == 200 && thin.height == 1)
    }

    @Test func cropIsExactAndCentredOrFocused() {
        let crop = ThumbnailSize("200x200c")!
        let l = crop.layout(imageWidth: 6000, imageHeight: 4000)
        #expect(l.width == 200 && l.height == 200)
        #expect(abs(l.rect.width - 4000) < 1e-9 && abs(l.rect.height - 4000) < 1e-9 && abs(l.rect.x - 1000) < 1e-9 && l.rect.y == 0)
        // A focus near the edge is clamped so the window stays inside the image.
        let left = crop.layout(imageWidth: 6000, imageHeight: 4000, focus: (0.05, 0.5))
        #expect(left.rect.x == 0)
        let right = crop.layout(imageWidth: 6000, imageHeight: 4000, focus: (0.9, 0.5))
        #expect(abs(right.rect.x + right.rect.width - 6000) < 1e-9)
        // Cropping a small image enlarges it to the exact box.
        let up = ThumbnailSize("300x100c")!.layout(imageWidth: 50, imageHeight: 50)
        #expect(up.width == 300 && up.height == 100 && abs(up.rect.height - 50.0 / 3) < 1e-9)
    }

    @Test func oneToOneOnWholePixelsIsAnExactCopy() throws {
        let image = patternImage(width: 13, height: 9, channels: 4)
        #expect(try Resampler.resize(image, width: 13, height: 9) == image)
        let part = try Resampler.resize(image, width: 5, height: 4, rect: SourceRect(x: 3, y: 2, width: 5, height: 4))
        for y in 0..<4 {
            for x in 0..<5 {
                for c in 0..<4 {
                    #expect(part.pixels[(y * 5 + x) * 4 + c] == image.pixels[((y + 2) * 13 + x + 3) * 4 + c])
                }
            }
        }
        // A half-pixel offset is a real resample, not a copy.
        let shifted = try Resampler.resize(image, width: 5, height: 4, rect: SourceRect(x: 3.5, y: 2, width: 5, height: 4))
        #expect(shifted != part)
    }

    @Test func flatImagesStayFlatUpToTheEdges() throws {
        for ch in [3, 4] {
            let value: [UInt8] = ch == 4 ? [200, 100, 50, 180] : [200, 100, 50]
            let src = try PixelBuffer(
                width: 97, height: 61, channels: ch, pixels: Array([[UInt8]](repeating: value, count: 97 * 61).joined()))
            for (w, h) in [(10, 7), (97, 61), (200, 3), (1, 1), (33, 120)] {
                let out = try Resampler.resize(src, width: w, height: h)
                #expect(out.width == w && out.height == h && out.channels == ch)
                #expect(out.pixels == Array([[UInt8]](repeating: value, count: w * h).joined()), "\(ch)ch \(w)x\(h)")
            }
        }
    }

    @Test func tinyOutputsOfLargeImagesDoNotOverflowTheBoxSums() throws {
        // 1200x1200 opaque white to 1x1: a box factor of 300 sums 90,000 pixels of 255·255,
        // which wraps 32 bits.
        let side = 1200
        let src = try PixelBuffer(
            width: side, height: side, channels: 4,
            pixels: [UInt8](repeating: 255, count: side * side * 4))
        for (w, h) in [(1, 1), (2, 1), (1, 3)] {
            let out = try Resampler.resize(src, width: w, height: h)
            #expect(out.pixels == [UInt8](repeating: 255, count: w * h * 4), "\(w)x\(h)")
        }
    }

    @Test func transparentNeighboursDoNotDarkenEdges() throws {
        // Left half opaque white, right half fully transparent black.
        var px: [UInt8] = []
        for _ in 0..<40 { for x in 0..<40 { px += x < 20 ? [255, 255, 255, 255] : [0, 0, 0, 0] } }
        let out = try Resampler.resize(PixelBuffer(width: 40, height: 40, channels: 4, pixels: px), width: 13, height: 13)
        for i in stride(from: 0, to: out.pixels.count, by: 4) where out.pixels[i + 3] > 0 {
            #expect(out.pixels[i] >= 254 && out.pixels[i + 1] >= 254 && out.pixels[i + 2] >= 254, "dark fringe at \(i / 4)")
        }
    }

    @Test func downscaleIsCloseToTheDoublePrecisionReference() throws {
        // A sharp synthetic scene (rings) to make errors visible.
        var px: [UInt8] = []
        for y in 0..<480 {
            for x in 0..<640 {
                let r = (Double((x - 320) * (x - 320) + (y - 240) * (y - 240))).squareRoot()
                let v = UInt8(127.5 + 127.5 * sin(r / 3))
                px += [v, UInt8(x % 256), 255 - v]
            }
        }
        let src = try PixelBuffer(width: 640, height: 480, channels: 3, pixels: px)
        // Pure Lanczos (reductions under 4x): float against double, almost exact.
        for (w, h) in [(200, 150), (640, 480), (1000, 750), (321, 240)] {
            let ours = try Resampler.resize(src, width: w, height: h)
            let psnr = try ReferenceImage(resizing: src, width: w, height: h).psnr(of: ours)
            #expect(psnr > 48, "\(w)x\(h): PSNR \(psnr)")
        }
        // Box pre-reduction first (4x and more): these rings (period ~19 px) are a worst case.
        for (w, h) in [(97, 73), (40, 30)] {
            let ours = try Resampler.resize(src, width: w, height: h)
            let psnr = try ReferenceImage(resizing: src, width: w, height: h).psnr(of: ours)
            #expect(psnr > 30, "\(w)x\(h): PSNR \(psnr)")
        }
        // And crop windows, without and with box pre-reduction.
        for (rect, size, bound) in [
            (SourceRect(x: 100.5, y: 40, width: 150, height: 150), 64, 48.0),
            (SourceRect(x: 100.5, y: 40, width: 300, height: 300), 64, 30.0),
        ] {
            let crop = try Resampler.resize(src, width: size, height: size, rect: rect)
            let psnr = try ReferenceImage(resizing: src, width: size, height: size, rect: rect).psnr(of: crop)
            #expect(psnr > bound, "crop \(rect): PSNR \(psnr)")
        }
    }

    @Test func dctScalingPicksTheSmallestCoveringFactor() {
        #expect(JPEGDecoder.factor(width: 6000, height: 4000, cover: (1024, 683)) == (1, 4))
        #expect(JPEGDecoder.factor(width: 6000, height: 4000, cover: (200, 134)) == (1, 8))
        #expect(JPEGDecoder.factor(width: 6000, height: 4000, cover: (1600, 10)) == (1, 2))
        #expect(JPEGDecoder.factor(width: 6000, height: 4000, cover: (6000, 4000)) == (1, 1))
        #expect(JPEGDecoder.factor(width: 6000, height: 4000, cover: nil) == (1, 1))
    }

    @Test(.enabled(if: TestData.available, "needs ../shared/testdata"))
    func thumbnailsOfARealPhotoAreSharp() throws {
        let bytes = try TestData.bytes(TestData.root.appendingPathComponent("jpeg/progressive3.jpg"))
        let full = try ImageDecoder.decode(bytes).pixels
        let sizes = ["200x200", "100x100c", "640x640", "300x120c"].map { ThumbnailSize($0)! }
        let set = try Thumbnailer.make(from: bytes, sizes: sizes)
        #expect(set.thumbnails.map { "\($0.image.width)x\($0.image.height)" } == ["200x145", "100x100", "640x463", "300x120"])
        for t in set.thumbnails {
            let l = t.size.layout(imageWidth: full.width, imageHeight: full.height)
            let psnr = try ReferenceImage(resizing: full, width: l.width, height: l.height, rect: l.rect).psnr(of: t.image)
            #expect(psnr > 35, "\(t.size): PSNR \(psnr)")
        }
    }

    @Test(.enabled(if: TestData.available, "needs ../shared/testdata"))
    func thumbnailsFromADecodedImageMatchThumbnailsFromBytes() throws {
        let bytes = try TestData.bytes(TestData.root.appendingPathComponent("exif/orientation/landscape_6.jpg"))
        let upright = try ImageDecoder.decode(bytes).pixels
        let sizes = ["100x100", "40x40c"].map { ThumbnailSize($0)! }
        let fromPixels = try Thumbnailer.make(from: upright, sizes: sizes)
        let fromBytes = try Thumbnailer.make(from: bytes, sizes: sizes).thumbnails
        for (a, b) in zip(fromPixels, fromBytes) {
            #expect(a.image.width == b.image.width && a.image.height == b.image.height)
            // Same geometry (a wrong turn or crop scores ~12 dB). The bytes path decodes
            // DCT-scaled, which on this small photo with sharp lettering costs ~34.5 dB.
            let psnr = try ReferenceImage(resizing: a.image, width: a.image.width, height: a.image.height).psnr(of: b.image)
            #expect(psnr > 30, "\(a.size): PSNR \(psnr)")
        }
    }

    @Test func pixelLimitIsCheckedBeforeDecoding() throws {
        let png = try ImageEncoder.encode(patternImage(width: 40, height: 30), options: EncodeOptions(format: .png))
        #expect(try ImageHeader.read(png, maxPixels: 1200).width == 40)
        #expect(throws: ImageError.self) { try Thumbnailer.make(from: png, sizes: [ThumbnailSize("10x10")!], maxPixels: 1199) }
        do { _ = try ImageDecoder.decode(png, options: DecodeOptions(maxPixels: 1199)) } catch let e as ImageError {
            #expect(e.code == .tooLarge)
        }
    }
}

@Suite("Thumbnails of every test image", .enabled(if: TestData.available, "needs ../shared/testdata"))
struct AllImagesThumbnailTests {
    /// Every decodable image in the shared test data makes both kinds of thumbnail with the
    /// right geometry (upright, aspect kept within rounding, crops exact).
    @Test func everyImageThumbnails() throws {
        let folders = [
            "jpeg", "png/pngsuite", "png/other", "exif/cameras", "exif/phones", "exif/gps", "exif/edge",
            "exif/orientation", "faces/group", "faces/none", "large",
        ]
        var count = 0
        for folder in folders {
            for url in TestData.files(folder, extensions: ["jpg", "jpeg", "png", "mpo", "webp"]) {
                let bytes = try TestData.bytes(url)
                guard let header = try? ImageHeader.read(bytes),
                    (try? ImageDecoder.decode(bytes, options: DecodeOptions(cover: (1, 1)))) != nil
                else { continue }
                let set = try Thumbnailer.make(from: bytes, sizes: [ThumbnailSize("200x200")!, ThumbnailSize("64x48c")!])
                let fit = set.thumbnails[0].image
                let crop = set.thumbnails[1].image
                let dw = Double(header.displayedWidth)
                let dh = Double(header.displayedHeight)
                let s = min(200 / dw, 200 / dh, 1)
                #expect(
                    abs(Double(fit.width) - dw * s) <= 1 && abs(Double(fit.height) - dh * s) <= 1 && max(fit.width, fit.height) <= 200,
                    "\(url.lastPathComponent): \(fit.width)x\(fit.height) from \(header.displayedWidth)x\(header.displayedHeight)")
                #expect(crop.width == 64 && crop.height == 48, "\(url.lastPathComponent)")
                count += 1
            }
        }
        #expect(count > 200)
    }
}
