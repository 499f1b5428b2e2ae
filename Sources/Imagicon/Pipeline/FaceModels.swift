import Dispatch
import FaceKit
import ImageKit

/// dlib's three models, loaded once per process (at Lambda init) and shared by every invocation.
public struct FaceModels: Sendable {
    /// FaceKit's loaded pipeline (detector, shape predictor, descriptor network).
    public let analyzer: FaceAnalyzer

    /// The MMOD CNN face detector.
    public var detector: FaceDetector { analyzer.detector }
    /// How detection covers the image pyramid: nil runs the network on all of it (dlib's way); a
    /// ``ProposalSearch`` runs it on the coarse levels and around their proposals only
    /// (`IMAGICON_FACE_SEARCH`, see ``Configuration/faceSearch``).
    public let search: ProposalSearch?

    /// Loads the models from `directory`; a failure is a configuration error (reported as a Lambda init error).
    public init(directory: String, search: ProposalSearch? = nil) throws {
        self.search = search
        do {
            analyzer = try FaceAnalyzer(modelsDirectory: directory)
        } catch {
            throw ConfigurationError(.modelsUnavailable, "cannot load the face models from \(directory): \(error)")
        }
    }

    /// Largest detection input: bigger photos are reduced for detection only (landmarks and
    /// descriptors use full resolution), which bounds MMOD's time and memory on 12-24 MP photos.
    public static let detectionMaxPixels = 4_000_000

    /// Most faces one photo keeps. Each face costs a descriptor, a face item and a face thumbnail
    /// upload, so a crowd photo would multiply the work; the largest faces are the ones a people
    /// page and find me are about.
    public static let maxFacesPerPhoto = 200

    /// The one face pipeline of the domain (process, search selfies): detection on a copy bounded to
    /// ``detectionMaxPixels``, boxes mapped back, the `limit` largest kept (``largest(_:limit:)``),
    /// then FaceKit's landmarks and descriptors on the full-resolution pixels; most confident first.
    /// `dropped` counts the faces past the limit. `timings` gets FaceKit's stage times.
    public func faces(
        in image: PixelBuffer, upsample: Int = 0, limit: Int = maxFacesPerPhoto, timings: inout [String: Double]
    ) throws -> (faces: [AnalyzedFace], dropped: Int) {
        let rgb = image.rgbImage
        let start = DispatchTime.now().uptimeNanoseconds
        var coverage = DetectionCoverage()
        let detections = try self.detections(in: image, rgb: rgb, upsample: upsample, coverage: &coverage)
        timings["detect"] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        let kept = Self.largest(detections, limit: limit).sorted { $0.confidence > $1.confidence }
        let faces = try analyzer.describe(kept, in: rgb, timings: &timings).map { face in
            AnalyzedFace(
                box: face.rect, confidence: face.confidence, landmarks: face.landmarks.map { [$0.x, $0.y] },
                descriptor: face.descriptor)
        }
        return (faces, detections.count - kept.count)
    }

    /// The `limit` detections with the largest boxes (ties: the more confident, then the one higher
    /// up, then further left), in their original order; all of them when there are no more.
    static func largest(_ detections: [FaceDetection], limit: Int) -> [FaceDetection] {
        guard detections.count > limit else { return detections }
        let ranked = detections.indices.sorted { i, j in
            let (a, b) = (detections[i], detections[j])
            if a.rect.area != b.rect.area { return a.rect.area > b.rect.area }
            if a.confidence != b.confidence { return a.confidence > b.confidence }
            return (a.rect.top, a.rect.left, i) < (b.rect.top, b.rect.left, j)
        }
        return ranked.prefix(max(0, limit)).sorted().map { detections[$0] }
    }

    /// The detection step of ``faces(in:upsample:limit:timings:)``: every box in `image`'s pixels, in the
    /// detector's order, found on a copy bounded to ``detectionMaxPixels`` with ``search``. `coverage`
    /// tells how much of the pyramid the network ran on.
    public func detections(
        in image: PixelBuffer, rgb: @autoclosure () -> RGBImage, upsample: Int = 0, coverage: inout DetectionCoverage
    ) throws -> [FaceDetection] {
        try detector.detect(
            in: image, rgb: rgb(), maxPixels: Self.detectionMaxPixels, upsample: upsample, search: search, coverage: &coverage)
    }
}
