import FaceKit

/// dlib's three models, loaded once per process (at Lambda init) and shared by every invocation.
public struct FaceModels: Sendable {
    /// The MMOD CNN face detector.
    public let detector: FaceDetector
    /// The 5-point landmark predictor.
    public let landmarks: ShapePredictor
    /// The ResNet descriptor network.
    public let descriptor: FaceDescriptorNetwork

    /// Loads the models from `directory` (the file names of ``Configuration/modelFiles``).
    public init(directory: String) throws {
        do {
            detector = try FaceDetector(modelPath: "\(directory)/mmod_human_face_detector.dat")
            landmarks = try ShapePredictor(modelPath: "\(directory)/shape_predictor_5_face_landmarks.dat")
            descriptor = try FaceDescriptorNetwork(modelPath: "\(directory)/dlib_face_recognition_resnet_model_v1.dat")
        } catch {
            throw ConfigurationError(.modelsUnavailable, "cannot load the face models from \(directory): \(error)")
        }
    }
}
