import LambdaRuntime

/// An event that cannot be understood; reported to Lambda as `EventDecodingError`.
public struct EventDecodingError: Error, CustomStringConvertible, Sendable, Equatable, LambdaReportableError {
    /// What is wrong with the event.
    public enum Code: String, Sendable {
        /// Not JSON at all.
        case notJSON
        /// JSON, but no shape we know (no `Records`, no EventBridge `detail`, …).
        case unknownShape
        /// A required field is missing.
        case missingField
        /// A field has the wrong type or an invalid value.
        case invalidField
        /// An object key is not valid URL-encoding or not UTF-8 once decoded.
        case invalidKey
        /// A request body is over the size limit.
        case bodyTooLarge
    }

    /// The kind of problem.
    public let code: Code
    /// One sentence naming the field and the problem.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
    public var lambdaErrorType: String { "EventDecodingError" }
}
