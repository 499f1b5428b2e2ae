import FaceKit

/// dlib's three models, loaded once per process (at Lambda init) and shared by every invocation.
public struct FaceModels: Sendable {
    /// FaceKit's loaded pipeline (detector, shape predictor, descriptor network).
    public let analyzer: FaceAnalyzer

    /// The MMOD CNN face detector.
    public var detector: FaceDetector { analyzer.detector }
    /// The 5-point landmark predictor.
    public var landmarks: ShapePredictor { analyzer.shapePredictor }
    /// The ResNet descriptor network.
    public var descriptor: FaceDescriptorNetwork { analyzer.descriptorNetwork }

    /// Loads the models from `directory`; a failure is a configuration error (reported as a Lambda init error).
    public init(directory: String) throws {
        do {
            analyzer = try FaceAnalyzer(modelsDirectory: directory)
        } catch {
            throw ConfigurationError(.modelsUnavailable, "cannot load the face models from \(directory): \(error)")
        }
    }
}
