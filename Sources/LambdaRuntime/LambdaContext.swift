import Logging

/// What Lambda tells a handler about the current invocation.
public struct LambdaContext: Sendable {
    /// The `Lambda-Runtime-Aws-Request-Id` of this invocation.
    public let requestID: String
    /// Deadline in milliseconds since the Unix epoch (`Lambda-Runtime-Deadline-Ms`).
    public let deadlineMillis: Int64
    /// The ARN the function was invoked with (`Lambda-Runtime-Invoked-Function-Arn`).
    public let invokedFunctionARN: String
    /// The X-Ray trace header (`Lambda-Runtime-Trace-Id`), also exported as `_X_AMZN_TRACE_ID`.
    public let traceID: String?
    /// Client context JSON from mobile SDK callers (`Lambda-Runtime-Client-Context`), passed through unparsed.
    public let clientContext: String?
    /// Cognito identity JSON (`Lambda-Runtime-Cognito-Identity`), passed through unparsed.
    public let cognitoIdentity: String?
    /// A logger whose lines carry this invocation's request id.
    public let logger: Logger

    /// Creates a context; the runtime does this for every invocation, tests may too.
    public init(
        requestID: String, deadlineMillis: Int64, invokedFunctionARN: String, traceID: String? = nil,
        clientContext: String? = nil, cognitoIdentity: String? = nil, logger: Logger
    ) {
        self.requestID = requestID
        self.deadlineMillis = deadlineMillis
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        var logger = logger
        logger[metadataKey: "requestId"] = .string(requestID)
        self.logger = logger
    }

    /// Time left before Lambda stops the invocation, in milliseconds (negative once past the deadline).
    public var remainingMillis: Int64 { deadlineMillis - LambdaClock.nowMillis() }

    /// Time left before Lambda stops the invocation.
    public var remainingTime: Duration { .milliseconds(remainingMillis) }
}
