/// Every failure of the AWS client: a code to branch on, a human message, and what the
/// service said (its error code, message and request id) and the HTTP status when there was one.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: Sendable, Equatable, Hashable {
        /// Missing or invalid configuration (credentials, region, endpoint).
        case configuration
        /// The request cannot be built or sent as asked (bad key, too-large header value...).
        case invalidRequest
        /// The connection failed: refused, reset, closed early, DNS, TLS.
        case connection
        /// The connect or total timeout fired.
        case timeout
        /// The response body exceeded the caller's size limit; the transfer was aborted.
        case responseTooLarge
        /// The service is throttling (S3 SlowDown, DynamoDB throughput/throttling errors, 429).
        case throttled
        /// The service failed (5xx).
        case serverError
        /// The object, bucket, table or item does not exist (404, NoSuchKey, ResourceNotFoundException).
        case notFound
        /// A condition expression or precondition did not hold (ConditionalCheckFailedException, 412).
        case conditionalCheckFailed
        /// Authentication or authorization failed (403, SignatureDoesNotMatch, AccessDenied...).
        case accessDenied
        /// Any other client error (4xx) the service reported.
        case clientError
        /// The service answered with something this client cannot read.
        case invalidResponse
        /// The calling task was cancelled; the transfer was aborted.
        case cancelled
    }

    /// What kind of failure this is.
    public var code: Code
    /// One human sentence.
    public var message: String
    /// The HTTP status of the response, when there was one.
    public var httpStatus: Int?
    /// The service's own error code, e.g. `NoSuchKey` or `ConditionalCheckFailedException`.
    public var serviceCode: String?
    /// The service's error message.
    public var serviceMessage: String?
    /// The request id the service assigned, for support cases and logs.
    public var requestID: String?

    /// An error with a code and message, plus the service details when known.
    public init(
        _ code: Code, _ message: String, httpStatus: Int? = nil, serviceCode: String? = nil,
        serviceMessage: String? = nil, requestID: String? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.serviceCode = serviceCode
        self.serviceMessage = serviceMessage
        self.requestID = requestID
    }

    /// True for the failures worth retrying: throttling, 5xx, connection failures and timeouts.
    public var isRetryable: Bool {
        switch code {
        case .throttled, .serverError, .connection, .timeout: true
        default: false
        }
    }

    /// `code: message [service code, HTTP status, request id]`.
    public var description: String {
        var details: [String] = []
        if let serviceCode { details.append(serviceCode) }
        if let httpStatus { details.append("HTTP \(httpStatus)") }
        if let requestID { details.append("request id \(requestID)") }
        return "AWSError.\(code): \(message)" + (details.isEmpty ? "" : " [\(details.joined(separator: ", "))]")
    }
}
