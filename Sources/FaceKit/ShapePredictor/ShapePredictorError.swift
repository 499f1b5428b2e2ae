/// Why a shape predictor model could not be loaded.
public struct ShapePredictorError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Equatable {
        /// The model file could not be read from disk.
        case unreadableFile
        /// The bytes are not valid dlib serialisation (truncated, absurd sizes, bad encodings).
        case malformedFile
        /// The stream parses but does not describe a usable `shape_predictor`
        /// (wrong version, inconsistent sizes, out-of-range indices).
        case inconsistentModel
    }

    /// The kind of failure.
    public let code: Code
    /// Human-readable explanation.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
