import LambdaRuntime

/// A failure that must fail the invocation so Lambda (or SQS) retries it later.
public struct ProcessingError: Error, CustomStringConvertible, Sendable, LambdaReportableError {
    /// Why the object could not be finished now.
    public enum Code: String, Sendable {
        /// Too little time left before the deadline to finish safely.
        case deadline
        /// S3 or DynamoDB failed in a way worth retrying (after the client's own retries).
        case transient
    }

    /// The kind of failure.
    public let code: Code
    /// One sentence naming the object and the cause.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
    public var lambdaErrorType: String { code == .deadline ? "DeadlineApproaching" : "TransientAWSFailure" }
}
