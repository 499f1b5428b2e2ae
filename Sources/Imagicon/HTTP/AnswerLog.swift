import Dispatch
import LambdaRuntime
import Logging

/// The one log line a Function URL handler writes per request: the handler's metadata plus `status`
/// and `durationMs`, at error level for a 5xx (our failure) and info otherwise (including the
/// caller's 4xx mistakes).
enum AnswerLog {
    /// Writes the line for `status`, `startNanos` being `DispatchTime.now().uptimeNanoseconds` at the
    /// start of the request.
    static func write(
        _ function: String, status: Int, startNanos: UInt64, metadata: Logger.Metadata, logger: Logger
    ) {
        var metadata = metadata
        metadata["status"] = .stringConvertible(status)
        metadata["durationMs"] = .stringConvertible(Double(DispatchTime.now().uptimeNanoseconds - startNanos) / 1e6)
        if status >= 500 {
            logger.error("\(function) failed", metadata: metadata)
        } else {
            logger.info("\(function) answered", metadata: metadata)
        }
    }
}
