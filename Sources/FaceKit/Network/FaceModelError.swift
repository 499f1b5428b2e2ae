/// Why a face model could not be loaded or used.
public struct FaceModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Equatable {
        /// The file could not be read.
        case unreadable
        /// The bytes are not a valid dlib network stream (truncated, bad value, trailing data).
        case malformed
        /// A valid dlib stream, but a layer, input or loss FaceKit does not implement.
        case unsupported
        /// The network is not of the kind the caller asked for (e.g. a detector file given to the descriptor).
        case wrongNetwork
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
