/// An error of the runtime itself (not of a handler).
public struct LambdaRuntimeError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// `AWS_LAMBDA_RUNTIME_API` is missing or malformed.
        case missingRuntimeAPI
        /// The Runtime API could not be reached or the connection broke.
        case transport
        /// The Runtime API answered with an unexpected status.
        case unexpectedStatus
        /// An invocation lacked a required header (request id, deadline).
        case invalidInvocation
        /// The Runtime API answered with a body over the size limit.
        case responseTooLarge
        /// The Runtime API refused an invocation's response (4xx: over 6 MB, malformed): the
        /// invocation is reported as an error instead and the loop goes on.
        case responseRefused
    }

    /// The kind of failure.
    public let code: Code
    /// A human-readable explanation.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
