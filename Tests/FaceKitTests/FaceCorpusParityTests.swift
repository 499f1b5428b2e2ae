import Foundation
import Testing
@testable import FaceKit

/// Opt-in sweep over every photo of `dlib_reference_turbo.json` (minutes in a debug build):
/// `FACEKIT_CORPUS=1 swift test --skip-build --filter FaceCorpusParityTests`
/// (add `FACEKIT_CORPUS_UPSAMPLE=1` for the upsampled pass, which takes longer).
@Suite(.enabled(if: CNNTestData.available && ProcessInfo.processInfo.environment["FACEKIT_CORPUS"] == "1",
                "set FACEKIT_CORPUS=1 (needs models/ and ../shared/testdata)"))
struct FaceCorpusParityTests {
    @Test func everyReferenceDetectionLandmarkAndDescriptor() throws {
        let analyzer = try FaceAnalyzer(modelsDirectory: CNNTestData.models.path)
        let upsample = Int(ProcessInfo.processInfo.environment["FACEKIT_CORPUS_UPSAMPLE"] ?? "0") ?? 0
        var faces = 0, worstDescriptor = 0.0
        for (path, entry) in try CNNTestData.reference().sorted(by: { $0.key < $1.key }) {
            guard entry.orientation == 1, let expected = entry.cnn[String(upsample)] else { continue }
            let image = try CNNTestData.loadImage(CNNTestData.testdata.appendingPathComponent("faces/\(path)").path)
            let got = try analyzer.analyze(image, upsample: upsample)
            #expect(got.count == expected.count, "\(path): \(got.count) faces, dlib \(expected.count)")
            for e in expected {
                guard let face = got.first(where: { $0.rect.iou(e.rect) >= 0.9 }) else {
                    Issue.record("\(path): dlib's \(e.rect) not found")
                    continue
                }
                faces += 1
                #expect(abs(face.confidence - e.confidence) <= 0.02, "\(path) \(e.rect): confidence")
                if face.rect == e.rect {
                    let d = CNNTestData.distance(face.descriptor, e.descriptor)
                    worstDescriptor = max(worstDescriptor, d)
                    #expect(d < 0.01, "\(path) \(e.rect): descriptor distance \(d)")
                }
            }
        }
        print("corpus parity at upsample \(upsample): \(faces) faces, worst descriptor distance \(worstDescriptor)")
    }
}
