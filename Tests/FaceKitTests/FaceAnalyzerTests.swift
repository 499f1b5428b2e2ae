import Foundation
import Testing

@testable import FaceKit

/// The whole pipeline (detect → landmarks → chip → descriptor) against dlib on the same pixels.
@Suite(.enabled(if: CNNTestData.available, "needs models/ and ../shared/testdata"))
struct FaceAnalyzerTests {
    // (Not group/bbt1.jpg: dlib_reference_turbo.json comes from an FMA build of dlib whose box there
    // is 1 px off dlib's own build; FaceDetectorTests.boxesIdenticalToDlibsOwnBuild checks that box.)
    @Test(arguments: ["group/2008_001322.jpg", "obama/obama_small.jpg", "group/bbt2.jpg"])
    func matchesDlibEndToEnd(_ path: String) throws {
        let analyzer = try FaceAnalyzer(modelsDirectory: CNNTestData.models.path)
        let reference = try #require(try CNNTestData.reference()[path]?.cnn["0"])
        let image = try CNNTestData.loadImage(CNNTestData.testdata.appendingPathComponent("faces/\(path)").path)
        let faces = try analyzer.analyze(image)
        #expect(faces.count == reference.count)
        for e in reference {
            let face = try #require(faces.first { $0.rect == e.rect }, "\(path): dlib's \(e.rect) not found exactly")
            #expect(abs(face.confidence - e.confidence) < 0.02)
            #expect(CNNTestData.distance(face.descriptor, e.descriptor) < 0.01)
        }
    }

    @Test func noFacesInALandscape() throws {
        let analyzer = try FaceAnalyzer(modelsDirectory: CNNTestData.models.path)
        let image = try CNNTestData.loadImage(CNNTestData.testdata.appendingPathComponent("faces/none/el_torcal_rocks.jpg").path)
        #expect(try analyzer.analyze(image).isEmpty)
    }

    @Test func missingModelsFolderIsAnError() {
        #expect(throws: (any Error).self) { try FaceAnalyzer(modelsDirectory: "/nonexistent/models") }
    }
}
