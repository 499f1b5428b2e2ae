import LambdaRuntime

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A handler for exercising the runtime loop end to end (`_HANDLER=diagnostics`), available only
/// when `IMAGICON_DIAGNOSTICS=1`: echo, fail, sleep past the deadline, crash, exit.
///
/// The event is `{"action": "...", ...}`:
/// - `context`: returns the invocation context as JSON (request id, remaining ms, ARN, trace, …);
/// - `echo`: returns `{"echo": <event>}`;
/// - `fail`: throws, with `"message"`;
/// - `sleep`: sleeps `"ms"` milliseconds then answers;
/// - `allocate`: allocates and touches `"mb"` MiB (at most 512), then frees it;
/// - `crash`: traps; `exit`: exits with `"code"`.
public struct DiagnosticsHandler: LambdaHandler {
    /// The failure `fail` reports.
    public struct Failure: Error, CustomStringConvertible, LambdaReportableError {
        /// The message given in the event.
        public let description: String
        public var lambdaErrorType: String { "DiagnosticsFailure" }
    }

    /// Creates the handler.
    public init() {}

    public func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let json = try JSONValue.parse(event)
        let action = json["action"]?.stringValue ?? "echo"
        func number(_ key: String) -> Int {
            if case .number(let d)? = json[key], d.isFinite, abs(d) < 1e9 { return Int(d) }
            return 0
        }
        switch action {
        case "context":
            let trace = getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) }
            let info: [String: JSONValue] = [
                "requestId": .string(context.requestID),
                "remainingMs": .number(Double(context.remainingMillis)),
                "deadlineMs": .number(Double(context.deadlineMillis)),
                "invokedFunctionArn": .string(context.invokedFunctionARN),
                "traceId": context.traceID.map(JSONValue.string) ?? .null,
                "xAmznTraceIdEnv": trace.map(JSONValue.string) ?? .null,
                "clientContext": context.clientContext.map(JSONValue.string) ?? .null,
                "cognitoIdentity": context.cognitoIdentity.map(JSONValue.string) ?? .null,
                "event": json,
            ]
            return try Self.encode(.object(info))
        case "echo":
            return try Self.encode(.object(["echo": json]))
        case "fail":
            throw Failure(description: json["message"]?.stringValue ?? "requested failure")
        case "sleep":
            try await Task.sleep(for: .milliseconds(max(0, number("ms"))))
            return try Self.encode(.object(["sleptMs": .number(Double(number("ms")))]))
        case "allocate":
            let bytes = min(max(0, number("mb")), 512) << 20
            // Every page is written by the fill; reading one byte per page keeps the work O(pages).
            let buffer = [UInt8](repeating: 1, count: bytes)
            let checksum = stride(from: 0, to: bytes, by: 4096).reduce(0) { $0 &+ Int(buffer[$1]) }
            return try Self.encode(.object(["allocatedBytes": .number(Double(bytes)), "checksum": .number(Double(checksum))]))
        case "crash":
            fatalError("diagnostics: requested crash")
        case "exit":
            exit(Int32(truncatingIfNeeded: number("code")))
        default:
            throw Failure(description: "unknown diagnostics action '\(action)'")
        }
    }

    static func encode(_ value: JSONValue) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
