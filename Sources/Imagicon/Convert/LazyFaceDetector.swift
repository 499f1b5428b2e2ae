import FaceKit
import Synchronization

/// The MMOD face detector for `fit=smart`, loaded on the first smart request rather than at
/// init: most conversions never need it, and cold start stays small.
public final class LazyFaceDetector: Sendable {
    /// The detector model file.
    public let modelPath: String
    private let state = Mutex<FaceDetector?>(nil)

    /// A detector to be loaded from `modelPath` when first used.
    public init(modelPath: String) {
        self.modelPath = modelPath
    }

    /// The loaded detector; throws ``ConfigurationError`` when the model cannot be loaded
    /// (retried on the next call).
    public func detector() throws -> FaceDetector {
        try state.withLock { loaded in
            if let loaded { return loaded }
            do {
                let detector = try FaceDetector(modelPath: modelPath)
                loaded = detector
                return detector
            } catch {
                throw ConfigurationError(.modelsUnavailable, "cannot load the face detector \(modelPath): \(error)")
            }
        }
    }
}
