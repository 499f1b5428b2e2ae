/// A Lambda function body: raw event bytes in, raw response bytes out.
///
/// Bytes rather than typed events keep the runtime independent of any event schema; the
/// handler decodes what it expects and throws a descriptive error when the event is wrong.
/// A thrown error is reported through the Runtime API's `/error` endpoint and the loop goes on.
public protocol LambdaHandler: Sendable {
    /// Handles one invocation.
    func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8]
}

/// An error that chooses the `errorType` reported to Lambda (otherwise the Swift type name is used).
public protocol LambdaReportableError: Error {
    /// The `errorType` field of the error report, e.g. `"EventDecodingError"`.
    var lambdaErrorType: String { get }
}
