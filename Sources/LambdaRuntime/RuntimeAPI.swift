/// One invocation as the Runtime API hands it out.
public struct Invocation: Sendable, Equatable {
    /// `Lambda-Runtime-Aws-Request-Id`.
    public var requestID: String
    /// `Lambda-Runtime-Deadline-Ms`.
    public var deadlineMillis: Int64
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    public var invokedFunctionARN: String
    /// `Lambda-Runtime-Trace-Id`.
    public var traceID: String?
    /// `Lambda-Runtime-Client-Context`.
    public var clientContext: String?
    /// `Lambda-Runtime-Cognito-Identity`.
    public var cognitoIdentity: String?
    /// The event, unparsed.
    public var event: [UInt8]

    /// Creates an invocation.
    public init(
        requestID: String, deadlineMillis: Int64, invokedFunctionARN: String, traceID: String? = nil,
        clientContext: String? = nil, cognitoIdentity: String? = nil, event: [UInt8]
    ) {
        self.requestID = requestID
        self.deadlineMillis = deadlineMillis
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.event = event
    }

    /// Builds an invocation from the `/next` response headers (names compared case-insensitively).
    public init(headers: [String: String], event: [UInt8]) throws {
        func header(_ name: String) -> String? { headers[name.lowercased()] }
        guard let id = header("Lambda-Runtime-Aws-Request-Id"), !id.isEmpty else {
            throw LambdaRuntimeError(.invalidInvocation, "the invocation has no Lambda-Runtime-Aws-Request-Id header")
        }
        guard let deadlineText = header("Lambda-Runtime-Deadline-Ms"), let deadline = Int64(deadlineText) else {
            throw LambdaRuntimeError(.invalidInvocation, "invocation \(id) has no valid Lambda-Runtime-Deadline-Ms header")
        }
        self.init(
            requestID: id, deadlineMillis: deadline,
            invokedFunctionARN: header("Lambda-Runtime-Invoked-Function-Arn") ?? "",
            traceID: header("Lambda-Runtime-Trace-Id"),
            clientContext: header("Lambda-Runtime-Client-Context"),
            cognitoIdentity: header("Lambda-Runtime-Cognito-Identity"),
            event: event)
    }
}

/// The Lambda Runtime HTTP API as the loop uses it; a protocol so tests can drive the loop directly.
public protocol RuntimeAPI: AnyObject {
    /// `GET /2018-06-01/runtime/invocation/next`: blocks until an event arrives.
    func nextInvocation() throws -> Invocation
    /// `POST /2018-06-01/runtime/invocation/{id}/response`.
    func sendResponse(requestID: String, body: [UInt8]) throws
    /// `POST /2018-06-01/runtime/invocation/{id}/error`.
    func sendError(requestID: String, report: ErrorReport) throws
    /// `POST /2018-06-01/runtime/init/error`.
    func sendInitError(_ report: ErrorReport) throws
}
