import Foundation
import Testing

@testable import FaceKit

/// The MMOD detector against dlib's detections on the same (libjpeg-turbo) pixels.
@Suite(.enabled(if: CNNTestData.available, "needs models/ and ../shared/testdata"))
struct FaceDetectorTests {
    static let detector = Result { try FaceDetector(modelPath: CNNTestData.detectorPath) }
    static let reference = Result { try CNNTestData.reference() }

    /// A handful of photos: small and large faces, several per photo, none at all.
    static let upsample0 = [
        "obama/obama_small.jpg", "group/2008_001322.jpg", "group/selfie-many-people.jpg",
        "none/dog.jpg", "group/bbt2.jpg", "John_Salley/000179_02159509.jpg", "group/2008_001009.jpg",
    ]
    static let upsample1 = ["group/2007_007763.jpg", "group/bbt3.jpg", "obama/obama_small.jpg"]

    /// Every dlib detection found with the same box (confidence within 0.02), nothing extra.
    func check(_ path: String, upsample: Int) throws {
        let detector = try Self.detector.get()
        let ref = try #require(try Self.reference.get()[path], "\(path) not in the reference")
        try #require(ref.orientation == 1, "test images are chosen with EXIF orientation 1")
        let expected = try #require(ref.cnn[String(upsample)])
        let image = try CNNTestData.loadImage(CNNTestData.testdata.appendingPathComponent("faces/\(path)").path)
        let got = detector.detect(in: image, upsample: upsample)
        var unmatched = got
        for e in expected {
            let best = unmatched.enumerated().max { $0.element.rect.iou(e.rect) < $1.element.rect.iou(e.rect) }
            guard let best, best.element.rect.iou(e.rect) >= 0.9 else {
                Issue.record("\(path) u\(upsample): dlib's \(e.rect) (\(e.confidence)) not found; got \(got)")
                continue
            }
            #expect(best.element.rect == e.rect, "\(path) u\(upsample): box \(best.element.rect) vs dlib \(e.rect)")
            #expect(
                abs(best.element.confidence - e.confidence) <= 0.02,
                "\(path) u\(upsample): confidence \(best.element.confidence) vs dlib \(e.confidence) at \(e.rect)")
            unmatched.remove(at: best.offset)
        }
        #expect(unmatched.isEmpty, "\(path) u\(upsample): extra detections \(unmatched)")
    }

    @Test(arguments: upsample0) func matchesDlibAtUpsample0(_ path: String) throws {
        try check(path, upsample: 0)
    }

    @Test(arguments: upsample1) func matchesDlibAtUpsample1(_ path: String) throws {
        try check(path, upsample: 1)
    }

    /// Photos where dlib's own build (CMake's `-mavx`, no FMA) and an FMA build of dlib disagree by
    /// 1 px: `dlib_reference.json` comes from the former, `dlib_reference_turbo.json` from the latter
    /// (there these boxes are [725, 146, 819, 241] and [328, 35, 442, 148]). The boxes do not depend
    /// on the JPEG decoder here (same windows, confidences within 1e-3), so libjpeg-turbo pixels must
    /// give exactly dlib's boxes, every face of the photo.
    static let stockBuildRounding = ["group/bbt1.jpg", "group/bald_guys.jpg"]

    @Test(arguments: stockBuildRounding) func boxesIdenticalToDlibsOwnBuild(_ path: String) throws {
        let detector = try Self.detector.get()
        let reference = try CNNTestData.reference("dlib_reference.json")
        let expected = try #require(reference[path]?.cnn["0"], "\(path) not in dlib_reference.json")
        let image = try CNNTestData.loadImage(CNNTestData.testdata.appendingPathComponent("faces/\(path)").path)
        let got = detector.detect(in: image)
        #expect(got.count == expected.count)
        #expect(Set(got.map(\.rect)) == Set(expected.map(\.rect)), "\(path): ours \(got.map(\.rect)), dlib \(expected.map(\.rect))")
    }

    /// pyramid_down<6>::point_up (`p·1.2 + 0.3`) rounds after the multiply and after the add as in
    /// dlib's build: bbt1's level-1 window edge at 603.5 maps to 724.49999999999989 (lround: 724);
    /// fused, it would be exactly 724.5 (lround: 725).
    @Test func pyramidPointUpRoundsLikeDlibsBuild() throws {
        let layout = TiledPyramidLayout(rows: 768, cols: 1366, downsampling: 6, padding: 10, outerPadding: 11)
        let level = try #require(layout.levels.count > 1 ? layout.levels[1] : nil)
        let (x, y) = (Double(level.left), Double(level.top))
        let (l, t, r, b) = layout.toImage(left: x + 603.5, top: y + 10.5, right: x + 682.5, bottom: y + 89.5, downsampling: 6)
        #expect(l < 724.5)
        #expect(FaceDetector.lround(l) == 724)
        #expect([t, r, b].map(FaceDetector.lround) == [13, 819, 108])
    }

    @Test func emptyAndTinyImagesGiveNoFaces() throws {
        let detector = try Self.detector.get()
        #expect(detector.detect(in: RGBImage(width: 0, height: 0)).isEmpty)
        #expect(detector.detect(in: RGBImage(width: 1, height: 1)).isEmpty)
        #expect(detector.detect(in: RGBImage(width: 3, height: 200), upsample: 1).isEmpty)
    }
}
