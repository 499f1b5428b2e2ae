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

    /// Every dlib detection matched (IoU ≥ 0.9, confidence within 0.02), nothing extra.
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

    @Test func emptyAndTinyImagesGiveNoFaces() throws {
        let detector = try Self.detector.get()
        #expect(detector.detect(in: RGBImage(width: 0, height: 0)).isEmpty)
        #expect(detector.detect(in: RGBImage(width: 1, height: 1)).isEmpty)
        #expect(detector.detect(in: RGBImage(width: 3, height: 200), upsample: 1).isEmpty)
    }
}
