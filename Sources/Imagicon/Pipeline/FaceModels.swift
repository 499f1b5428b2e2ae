import Dispatch
import FaceKit
import ImageKit

/// dlib's three models, loaded once per process (at Lambda init) and shared by every invocation.
public struct FaceModels: Sendable {
    /// FaceKit's loaded pipeline (detector, shape predictor, descriptor network).
    public let analyzer: FaceAnalyzer

    /// The MMOD CNN face detector.
    public var detector: FaceDetector { analyzer.detector }

    /// Loads the models from `directory`; a failure is a configuration error (reported as a Lambda init error).
    public init(directory: String) throws {
        do {
            analyzer = try FaceAnalyzer(modelsDirectory: directory)
        } catch {
            throw ConfigurationError(.modelsUnavailable, "cannot load the face models from \(directory): \(error)")
        }
    }

    /// Largest detection input: bigger photos are reduced for detection only (landmarks and
    /// descriptors use full resolution), which bounds MMOD's time and memory on 12-24 MP photos.
    public static let detectionMaxPixels = 4_000_000

    /// The one face pipeline of the domain (process, search selfies): detection on a copy bounded to
    /// ``detectionMaxPixels``, boxes mapped back, then FaceKit's landmarks and descriptors on the
    /// full-resolution pixels; most confident first. `timings` gets FaceKit's stage times.
    public func faces(in image: PixelBuffer, upsample: Int = 0, timings: inout [String: Double]) throws -> [AnalyzedFace] {
        let rgb = image.rgbImage
        let start = DispatchTime.now().uptimeNanoseconds
        var detections = try detector.detect(in: image, rgb: rgb, maxPixels: Self.detectionMaxPixels, upsample: upsample)
        timings["detect"] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        detections.sort { $0.confidence > $1.confidence }
        return try analyzer.describe(detections, in: rgb, timings: &timings).map { face in
            AnalyzedFace(
                box: face.rect, confidence: face.confidence, landmarks: face.landmarks.map { [$0.x, $0.y] },
                descriptor: face.descriptor)
        }
    }
}
