import FaceKit
import Foundation
import ImageKit
import Testing

@testable import Imagicon

/// The repository root, from this file's path.
private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
private let detectorPath = repositoryRoot.appendingPathComponent("models/mmod_human_face_detector.dat").path
private let twoPeople = repositoryRoot.appendingPathComponent("samples/album/two_people.jpg").path

@Suite("convert: the conversion core")
struct ImageConverterTests {
    /// A 320x240 gradient with some structure, optionally with an alpha ramp.
    static func source(_ format: ImageFormat, alpha: Bool = false) throws -> [UInt8] {
        let w = 320
        let h = 240
        let ch = alpha ? 4 : 3
        var px = [UInt8](repeating: 0, count: w * h * ch)
        for y in 0..<h {
            for x in 0..<w {
                let i = (y * w + x) * ch
                px[i] = UInt8(x * 255 / w)
                px[i + 1] = UInt8(y * 255 / h)
                px[i + 2] = ((x / 16 + y / 16) % 2 == 0) ? 40 : 220
                if alpha { px[i + 3] = UInt8(255 - x * 200 / w) }
            }
        }
        return try ImageEncoder.encode(
            PixelBuffer(width: w, height: h, channels: ch, pixels: px), options: EncodeOptions(format: format, quality: 95))
    }

    let converter = ImageConverter(maxPixels: 1_000_000, faces: nil)

    @Test(arguments: ImageFormat.encodable)
    func everyFormatPair(from source: ImageFormat) throws {
        let bytes = try Self.source(source)
        for target in ImageFormat.encodable {
            for (request, size) in [
                (ConvertRequest(key: "k", width: 100, height: 100, fit: .inside, format: target), (100, 75)),
                (ConvertRequest(key: "k", width: 50, height: 80, fit: .cover, format: target), (50, 80)),
                (ConvertRequest(key: "k", width: 64, height: 64, fit: .smart, format: target), (64, 64)),
                (ConvertRequest(key: "k", height: 60, format: target), (80, 60)),
                (ConvertRequest(key: "k", format: target), (320, 240)),
            ] {
                let out = try converter.convert(bytes, request: request)
                #expect(ImageFormat.sniff(out.bytes) == target)
                let decoded = try ImageDecoder.decode(out.bytes).pixels
                #expect((decoded.width, decoded.height) == size, "\(source) -> \(target) \(request.normalizedParameters)")
                #expect((out.width, out.height) == size)
            }
        }
    }

    @Test func formatDefaultsToTheSourceAndAlphaIsKeptOrFlattened() throws {
        let png = try Self.source(.png, alpha: true)
        let same = try converter.convert(png, request: ConvertRequest(key: "k", width: 100))
        #expect(same.format == .png)
        #expect(try ImageDecoder.decode(same.bytes).pixels.hasTransparency)
        let jpeg = try converter.convert(png, request: ConvertRequest(key: "k", width: 100, format: .jpeg))
        #expect(try ImageDecoder.decode(jpeg.bytes).pixels.channels == 3)
        let webp = try converter.convert(png, request: ConvertRequest(key: "k", width: 100, format: .webp))
        #expect(try ImageDecoder.decode(webp.bytes).pixels.hasTransparency)
    }

    @Test func sameSizeConversionKeepsPixels() throws {
        let png = try Self.source(.png)
        let out = try converter.convert(png, request: ConvertRequest(key: "k", format: .png))
        #expect(try ImageDecoder.decode(out.bytes).pixels == ImageDecoder.decode(png).pixels)
    }

    @Test func limitsAndBadData() throws {
        let bytes = try Self.source(.jpeg)
        let small = ImageConverter(maxPixels: 320 * 240 - 1, faces: nil)
        do {
            _ = try small.convert(bytes, request: ConvertRequest(key: "k", width: 10))
            Issue.record("converted an image over the pixel limit")
        } catch {
            #expect(error.code == .tooLarge && error.status == 422)
        }
        for junk: [UInt8] in [[], Array("GIF89a".utf8), Array(bytes.prefix(200))] {
            do {
                _ = try converter.convert(junk, request: ConvertRequest(key: "k", width: 10))
                Issue.record("converted junk")
            } catch {
                #expect(error.code == .notAnImage && error.status == 422)
            }
        }
        // Without w/h the output is the source size: over the output bound it is refused before decoding.
        let wide = try ImageEncoder.encode(
            PixelBuffer(width: 5000, height: 3400, channels: 3, pixels: [UInt8](repeating: 7, count: 5000 * 3400 * 3)),
            options: EncodeOptions(format: .jpeg, quality: 50))
        let big = ImageConverter(maxPixels: 100_000_000, faces: nil)
        do {
            _ = try big.convert(wide, request: ConvertRequest(key: "k", format: .webp))
            Issue.record("made an output over the pixel bound")
        } catch {
            #expect(error.code == .tooLarge && error.message.contains("5000x3400"))
        }
        #expect(try big.convert(wide, request: ConvertRequest(key: "k", width: 100)).height == 68)
    }

    @Test func smartCropUsesKnownFacesOfTheSameSize() throws {
        let bytes = try Self.source(.jpeg)
        let face = SmartCrop.Face(left: 280, top: 10, right: 309, bottom: 39, confidence: 1)
        let request = ConvertRequest(key: "k", width: 60, height: 60, fit: .smart)
        let out = try converter.convert(bytes, request: request, knownFaces: StoredFaces.Record(width: 320, height: 240, faces: [face]))
        #expect(out.facesFrom == "records" && out.facesFound == 1 && out.facesKept == 1)
        #expect(out.sourceRect == SourceRect(x: 80, y: 0, width: 240, height: 240))
        // Records of another size (another version of the image) are ignored; without a detector: centred.
        let other = try converter.convert(bytes, request: request, knownFaces: StoredFaces.Record(width: 640, height: 480, faces: [face]))
        #expect(other.facesFrom == nil && other.sourceRect == SourceRect(x: 40, y: 0, width: 240, height: 240))
    }

    @Test(
        .enabled(
            if: FileManager.default.fileExists(atPath: detectorPath) && FileManager.default.fileExists(atPath: twoPeople),
            "needs models/ (scripts/fetch-models) and samples/album/two_people.jpg"))
    func smartCropContainsTheFaces() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: twoPeople)))
        let detector = try FaceDetector(modelPath: detectorPath)
        let image = try ImageDecoder.decode(bytes).pixels
        let faces = detector.detect(in: RGBImage(width: image.width, height: image.height, pixels: image.removingAlpha().pixels))
        try #require(faces.count == 2, "two_people.jpg has two faces")
        let converter = ImageConverter(maxPixels: 100_000_000, faces: LazyFaceDetector(modelPath: detectorPath))
        // A wide crop where both faces fit, and a narrow one where only the most confident does.
        let best = faces.max { $0.confidence < $1.confidence }!
        for (w, h, expected) in [(600, 300, faces), (120, 400, [best])] {
            let out = try converter.convert(bytes, request: ConvertRequest(key: "k", width: w, height: h, fit: .smart, format: .jpeg))
            #expect((out.width, out.height) == (w, h))
            #expect(out.facesFound == 2 && out.facesKept == expected.count)
            let r = out.sourceRect
            for face in expected {
                // Detection ran on a reduced copy: allow a few pixels of box difference.
                let tolerance = 4.0
                #expect(
                    Double(face.rect.left) >= r.x - tolerance && Double(face.rect.right + 1) <= r.x + r.width + tolerance
                        && Double(face.rect.top) >= r.y - tolerance && Double(face.rect.bottom + 1) <= r.y + r.height + tolerance,
                    "face \(face.rect) outside crop \(r) for \(w)x\(h)")
            }
            // cover does not look for faces.
            let centred = try converter.convert(bytes, request: ConvertRequest(key: "k", width: w, height: h, fit: .cover, format: .jpeg))
            #expect(centred.facesFound == nil)
        }
    }
}
