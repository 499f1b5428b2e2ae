import Foundation
import Testing

@testable import FaceKit

/// Sweep over every upright photo of `dlib_reference_turbo.json` at upsample 0 and 1 (minutes in a
/// debug build; `scripts/test` turns it on): `FACEKIT_CORPUS=1 swift test --skip-build --filter FaceCorpusParityTests`
/// (`FACEKIT_CORPUS_UPSAMPLE=0` or `1` runs one pass only).
@Suite(
    .enabled(
        if: CNNTestData.available && ProcessInfo.processInfo.environment["FACEKIT_CORPUS"] == "1",
        "set FACEKIT_CORPUS=1 (needs models/ and ../shared/testdata)"))
struct FaceCorpusParityTests {
    static let upsamples = ProcessInfo.processInfo.environment["FACEKIT_CORPUS_UPSAMPLE"].flatMap { Int($0) }.map { [$0] } ?? [0, 1]

    @Test(arguments: upsamples)
    func everyReferenceDetectionLandmarkAndDescriptor(upsample: Int) throws {
        let analyzer = try FaceAnalyzer(modelsDirectory: CNNTestData.models.path)
        // dlib_reference_turbo.json comes from an FMA build of dlib, which rounds a few boxes 1 px
        // differently from dlib's own build (dlib_reference.json, on IJG-decoded pixels): where
        // our box is not the turbo one, it must be that build's.
        let ownBuild = try CNNTestData.reference("dlib_reference.json")
        var faces = 0
        var ownBuildBoxes = 0
        var worstDescriptor = 0.0
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
                if face.rect != e.rect {
                    let own = ownBuild[path]?.cnn[String(upsample)]?.map(\.rect) ?? []
                    #expect(
                        own.contains(face.rect), "\(path) u\(upsample): box \(face.rect), dlib \(e.rect) (FMA build), \(own) (own build)")
                    ownBuildBoxes += 1
                }
                #expect(abs(face.confidence - e.confidence) <= 0.02, "\(path) \(e.rect): confidence")
                if face.rect == e.rect {
                    let d = CNNTestData.distance(face.descriptor, e.descriptor)
                    worstDescriptor = max(worstDescriptor, d)
                    #expect(d < 0.01, "\(path) \(e.rect): descriptor distance \(d)")
                }
            }
        }
        print(
            "corpus parity at upsample \(upsample): \(faces) faces, \(ownBuildBoxes) with the box of dlib's own build "
                + "(not the FMA build's), worst descriptor distance \(worstDescriptor)"
        )
    }
}
