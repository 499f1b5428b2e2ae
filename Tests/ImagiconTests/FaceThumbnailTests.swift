import ExifKit
import FaceKit
import ImageKit
import Testing

@testable import Imagicon

@Suite("face thumbnails: one 160x160 JPEG per face, keyed on the face item (in process)")
struct FaceThumbnailTests {
    /// 600x400: the left half red, the right half blue.
    static func halves() throws -> PixelBuffer {
        var pixels = [UInt8](repeating: 0, count: 600 * 400 * 3)
        for y in 0..<400 {
            for x in 0..<600 { pixels[(y * 600 + x) * 3 + (x < 300 ? 0 : 2)] = 255 }
        }
        return try PixelBuffer(width: 600, height: 400, channels: 3, pixels: pixels)
    }

    static func face(_ left: Int, _ top: Int, side: Int) -> AnalyzedFace {
        AnalyzedFace(
            box: FaceRect(left: left, top: top, right: left + side - 1, bottom: top + side - 1), confidence: 1,
            landmarks: [], descriptor: [Float](repeating: 0, count: 128))
    }

    @Test func eachFaceGetsA160JPEGOfItsOwnRegionAtItsKey() throws {
        let analyzer = ImageAnalyzer(sizes: [], maxPixels: 1 << 24, models: nil)
        let faces = [Self.face(50, 100, side: 100), Self.face(450, 150, side: 80)]
        let image = try Self.halves()
        let encoded = try analyzer.faceThumbnails(from: image, faces: faces)
        #expect(encoded.count == 2)
        for (thumbnail, red) in zip(encoded, [true, false]) {
            #expect(thumbnail.contentType == "image/jpeg")
            let pixels = try ImageDecoder.decode(thumbnail.bytes, options: DecodeOptions()).pixels
            #expect(pixels.width == 160 && pixels.height == 160)
            // The centre shows the face's half of the image, not the whole photo.
            let centre = (80 * 160 + 80) * pixels.channels
            #expect((pixels.pixels[centre] > 200) == red && (pixels.pixels[centre + 2] > 200) == !red)
        }

        let object = ObjectIdentity(bucket: "b", key: "a/b.jpg", size: 1, sequencer: "0062E99A88DC407460")
        let analysis = ImageAnalysis(
            format: .jpeg, width: 600, height: 400, metadata: PhotoMetadata(), thumbnails: [], faces: faces,
            faceThumbnails: encoded, timings: [:])
        let output = ObjectOutput(object, analysis: analysis)
        let keys = (0..<2).map { "thumbnails/faces/a/b.jpg/0062E99A88DC40746/\($0).jpg" }
        #expect(output.faces.map(\.thumbnail) == keys)
        #expect(output.thumbnails.map(\.key) == keys)
        #expect(output.image.thumbnails.isEmpty) // the image item lists only its sizes
        #expect(output.thumbnails.map(\.thumbnail.bytes) == encoded.map(\.bytes))
    }

    @Test func noFacesOrAFailedImageMakeNone() throws {
        let analyzer = ImageAnalyzer(sizes: [], maxPixels: 1 << 24, models: nil)
        #expect(try analyzer.faceThumbnails(from: try Self.halves(), faces: []).isEmpty)
        let object = ObjectIdentity(bucket: "b", key: "a/bad.jpg", size: 3, sequencer: "01")
        let failed = ObjectOutput.build(object, body: [1, 2, 3], analyzer: analyzer)
        #expect(failed.image.status == .failed && failed.faces.isEmpty && failed.thumbnails.isEmpty)
    }
}
