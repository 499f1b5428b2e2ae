import ExifKit
import FaceKit
import Foundation
import ImageKit
import Testing

@testable import Imagicon

@Suite("faces per photo: a crowd keeps its largest faces and says how many went (in process)")
struct FaceLimitTests {
    /// A square detection of side `side` at column `x`.
    static func detection(x: Int, side: Int, confidence: Double = 1) -> FaceDetection {
        FaceDetection(rect: FaceRect(left: x, top: 10, right: x + side - 1, bottom: 10 + side - 1), confidence: confidence)
    }

    @Test func aCrowdKeepsItsLargestFacesInDetectionOrder() {
        // 250 faces of sides 10...259 px in a scrambled order, confidence unrelated to size.
        let detections: [FaceDetection] = (0..<250).map { (i: Int) -> FaceDetection in
            let side = 10 + (i * 97) % 250
            let confidence = Double((i * 31) % 17) / 10
            return Self.detection(x: i * 300, side: side, confidence: confidence)
        }
        let kept = FaceModels.largest(detections, limit: FaceModels.maxFacesPerPhoto)
        #expect(FaceModels.maxFacesPerPhoto == 200)
        #expect(kept.count == 200)
        #expect(Set(kept.map { $0.rect.width }) == Set(60..<260), "the 50 smallest go")
        let positions = kept.map { k in detections.firstIndex(of: k)! }
        #expect(positions == positions.sorted(), "the kept faces stay in the detector's order")
    }

    @Test func underTheLimitNothingGoesAndTiesKeepTheMoreConfident() {
        let few = (0..<5).map { Self.detection(x: $0 * 100, side: 40 + $0) }
        #expect(FaceModels.largest(few, limit: 5) == few)
        #expect(FaceModels.largest([], limit: 5).isEmpty)
        // Equal sizes: the more confident stays; equal confidence too: the one further left.
        let tied = [
            Self.detection(x: 0, side: 50, confidence: 0.5), Self.detection(x: 100, side: 50, confidence: 0.9),
            Self.detection(x: 200, side: 50, confidence: 0.5), Self.detection(x: 300, side: 80, confidence: 0.1),
        ]
        #expect(FaceModels.largest(tied, limit: 2) == [tied[1], tied[3]])
        #expect(FaceModels.largest(tied, limit: 3) == [tied[0], tied[1], tied[3]])
        #expect(FaceModels.largest(tied, limit: 0).isEmpty)
    }

    @Test(
        .enabled(if: SearchFixtures.modelsDirectory != nil, "needs the dlib models (scripts/fetch-models)"),
        .enabled(if: SearchFixtures.photos != nil, "needs ../shared/testdata/faces"))
    func theFacePipelineDescribesOnlyTheLargest() throws {
        let models = try FaceModels(directory: SearchFixtures.modelsDirectory!)
        let bytes = Array(try Data(contentsOf: SearchFixtures.photos!.appendingPathComponent("group/selfie-many-people.jpg")))
        let image = try ImageDecoder.decode(bytes, options: DecodeOptions(applyOrientation: true)).pixels
        var timings: [String: Double] = [:]
        let all = try models.faces(in: image, timings: &timings)
        #expect(all.faces.count == 5 && all.dropped == 0)
        let two = try models.faces(in: image, limit: 2, timings: &timings)
        #expect(two.faces.count == 2 && two.dropped == 3)
        let largest = all.faces.sorted { $0.box.area > $1.box.area }.prefix(2)
        #expect(Set(two.faces.map(\.box)) == Set(largest.map(\.box)))
        // The same face, described the same: box, confidence and landmarks exactly; the descriptor to
        // float rounding, since the ResNet batches a photo's chips into shared products (Winograd,
        // batched columns) whose rounding depends on how many chips there are.
        for face in two.faces {
            let match = try #require(all.faces.first { $0.box == face.box }, "\(face.box)")
            #expect(match.confidence == face.confidence && match.landmarks == face.landmarks)
            let drift = zip(match.descriptor, face.descriptor).map { abs($0 - $1) }.max() ?? 0
            #expect(match.descriptor.count == face.descriptor.count && drift < 1e-4, "descriptor drift \(drift)")
        }
    }

    @Test func theProcessResponseSaysHowManyFacesWereDropped() {
        let object = ObjectIdentity(bucket: "b", key: "a/crowd.jpg", size: 1, sequencer: "0062E99A88DC407460")
        var analysis = ImageAnalysis(
            format: .jpeg, width: 600, height: 400, metadata: PhotoMetadata(), thumbnails: [], faces: [], timings: [:])
        analysis.facesDropped = 7
        #expect(ObjectOutput(object, analysis: analysis).facesDropped == 7)
        #expect(ObjectOutput.failed(object, error: "x").facesDropped == 0)

        var crowd = ObjectOutcome(status: .processed, bucket: "b", key: "a/crowd.jpg", faceCount: 200)
        crowd.facesDropped = 7
        let plain = ObjectOutcome(status: .processed, bucket: "b", key: "a/one.jpg", faceCount: 1)
        guard case .array(let objects) = ProcessHandler.json([crowd, plain]), objects.count == 2,
            case .object(let first) = objects[0], case .object(let second) = objects[1]
        else {
            Issue.record("not two objects")
            return
        }
        #expect(first["facesDropped"] == .number(7) && first["faceCount"] == .number(200))
        #expect(second["facesDropped"] == nil)
    }
}
