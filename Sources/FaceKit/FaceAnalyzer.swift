import Dispatch

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The whole dlib face pipeline over one image: CNN detection, 5-point landmarks, aligned
/// 150×150 chips (`get_face_chip_details(shape, 150, 0.25)`) and 128-d ResNet descriptors.
///
/// Loads the three dlib models from one folder. Immutable and thread-safe.
public final class FaceAnalyzer: Sendable {
    /// File names of the three models inside the models folder.
    public static let modelFiles = [detectorFile, shapePredictorFile, descriptorFile]
    /// MMOD detector model file name.
    public static let detectorFile = "mmod_human_face_detector.dat"
    /// 5-point landmark model file name.
    public static let shapePredictorFile = "shape_predictor_5_face_landmarks.dat"
    /// Descriptor ResNet file name.
    public static let descriptorFile = "dlib_face_recognition_resnet_model_v1.dat"

    /// One analysed face.
    public struct Face: Sendable, Equatable {
        /// Detection box (dlib convention: inclusive, unclipped).
        public var rect: FaceRect
        /// Detector confidence.
        public var confidence: Double
        /// The 5 landmarks, whole pixels as dlib returns them.
        public var landmarks: [FacePoint]
        /// The 128-d descriptor (compare with Euclidean distance; < 0.6 is usually the same person).
        public var descriptor: [Float]
    }

    /// The CNN detector.
    public let detector: FaceDetector
    /// The 5-point landmark model.
    public let shapePredictor: ShapePredictor
    /// The descriptor ResNet.
    public let descriptorNetwork: FaceDescriptorNetwork

    /// Loads the three models from `modelsDirectory`.
    public init(modelsDirectory: String) throws {
        let dir = URL(fileURLWithPath: modelsDirectory)
        detector = try FaceDetector(modelPath: dir.appendingPathComponent(Self.detectorFile).path)
        shapePredictor = try ShapePredictor(modelPath: dir.appendingPathComponent(Self.shapePredictorFile).path)
        descriptorNetwork = try FaceDescriptorNetwork(modelPath: dir.appendingPathComponent(Self.descriptorFile).path)
    }

    /// Detects faces (after `upsample` doublings, see ``FaceDetector/detect(in:upsample:adjustThreshold:)``),
    /// then computes landmarks and descriptors for each, in detection order (best first).
    /// `timings` receives milliseconds per stage (`detect`, `landmarks`, `descriptors`).
    public func analyze(_ image: RGBImage, upsample: Int = 0, timings: inout [String: Double]) throws -> [Face] {
        let start = DispatchTime.now().uptimeNanoseconds
        let detections = detector.detect(in: image, upsample: upsample)
        timings["detect"] = Self.millis(since: start)
        return try describe(detections, in: image, timings: &timings)
    }

    /// ``analyze(_:upsample:timings:)`` without the timings.
    public func analyze(_ image: RGBImage, upsample: Int = 0) throws -> [Face] {
        var timings: [String: Double] = [:]
        return try analyze(image, upsample: upsample, timings: &timings)
    }

    /// Landmarks, aligned chips and descriptors for detections made elsewhere (e.g. on a reduced copy
    /// and mapped back to `image`'s coordinates), in the order given. `timings` receives milliseconds
    /// for `landmarks` (with the chips) and `descriptors`.
    public func describe(_ detections: [FaceDetection], in image: RGBImage, timings: inout [String: Double]) throws -> [Face] {
        let landmarkStart = DispatchTime.now().uptimeNanoseconds
        let landmarks = detections.map { shapePredictor.landmarks(in: image, face: $0.rect) }
        let chips = landmarks.map { FaceChip.extract(from: image, landmarks: $0, size: descriptorNetwork.chipCols, padding: 0.25) }
        timings["landmarks"] = Self.millis(since: landmarkStart)
        let descriptorStart = DispatchTime.now().uptimeNanoseconds
        let descriptors = chips.isEmpty ? [] : try descriptorNetwork.descriptors(ofChips: chips)
        timings["descriptors"] = Self.millis(since: descriptorStart)
        return detections.indices.map { i in
            Face(rect: detections[i].rect, confidence: detections[i].confidence, landmarks: landmarks[i], descriptor: descriptors[i])
        }
    }

    private static func millis(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }
}
