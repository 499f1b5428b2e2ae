import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The Runtime API loop: fetch an event, run the handler, report the result, repeat.
///
/// One instance per process. Handler errors go to `/error` and the loop continues; errors
/// while creating the handler (bad configuration, unreadable models) go to `/init/error`
/// and the process exits, as Lambda expects of a custom runtime.
public final class LambdaRuntime {
    private let api: RuntimeAPI
    private let logger: Logger

    /// Creates a loop over any Runtime API implementation (tests pass their own).
    public init(api: RuntimeAPI, logger: Logger = Logger(label: "lambda-runtime")) {
        self.api = api
        self.logger = logger
    }

    /// Creates the handler, reporting a failure as an init error, then serves invocations
    /// until `maxInvocations` (nil: forever) or SIGTERM. Returns the number served.
    @discardableResult
    public func run(maxInvocations: Int? = nil, makeHandler: () throws -> any LambdaHandler) async throws -> Int {
        let handler: any LambdaHandler
        do {
            handler = try makeHandler()
        } catch {
            let report = ErrorReport(error)
            logger.error("init failed", metadata: ["errorType": .string(report.errorType), "errorMessage": .string(report.errorMessage)])
            try api.sendInitError(report)
            throw error
        }
        return try await serve(handler, maxInvocations: maxInvocations)
    }

    /// Serves invocations with an already-created handler.
    public func serve(_ handler: any LambdaHandler, maxInvocations: Int? = nil) async throws -> Int {
        var served = 0
        while maxInvocations.map({ served < $0 }) ?? true {
            if ShutdownSignal.isRequested { break }
            ShutdownSignal.setBusy(false)
            let invocation = try api.nextInvocation()
            ShutdownSignal.setBusy(true)
            try await handle(invocation, with: handler)
            served += 1
        }
        ShutdownSignal.setBusy(false)
        return served
    }

    private func handle(_ invocation: Invocation, with handler: any LambdaHandler) async throws {
        if let trace = invocation.traceID {
            setenv("_X_AMZN_TRACE_ID", trace, 1)
        } else {
            unsetenv("_X_AMZN_TRACE_ID")
        }
        let context = LambdaContext(
            requestID: invocation.requestID, deadlineMillis: invocation.deadlineMillis,
            invokedFunctionARN: invocation.invokedFunctionARN, traceID: invocation.traceID,
            clientContext: invocation.clientContext, cognitoIdentity: invocation.cognitoIdentity,
            logger: logger)
        let start = LambdaClock.monotonicNanos()
        do {
            let response = try await handler.handle(invocation.event, context: context)
            do {
                try api.sendResponse(requestID: invocation.requestID, body: response)
            } catch let refusal as LambdaRuntimeError where refusal.code == .responseRefused {
                // As the Rust runtime does: this invocation fails, the process keeps serving.
                context.logger.error("response refused", metadata: ["errorMessage": .string(refusal.message)])
                try api.sendError(
                    requestID: invocation.requestID,
                    report: ErrorReport(errorType: "Runtime.ResponseRefused", errorMessage: refusal.message))
                return
            }
            context.logger.debug("invocation done", metadata: ["durationMs": .stringConvertible(Self.millis(since: start))])
        } catch let error as LambdaRuntimeError {
            throw error
        } catch {
            let report = ErrorReport(error)
            context.logger.error(
                "invocation failed",
                metadata: [
                    "errorType": .string(report.errorType), "errorMessage": .string(report.errorMessage),
                    "durationMs": .stringConvertible(Self.millis(since: start)),
                ])
            try api.sendError(requestID: invocation.requestID, report: report)
        }
    }

    private static func millis(since start: UInt64) -> Double {
        Double(LambdaClock.monotonicNanos() - start) / 1e6
    }
}

/// SIGTERM handling: exit at once when idle (waiting on `/next`), else after the current invocation.
public enum ShutdownSignal {
    private static let busy = Atomic<Bool>(false)
    private static let requested = Atomic<Bool>(false)

    /// Whether SIGTERM arrived during an invocation.
    public static var isRequested: Bool { requested.load(ordering: .acquiring) }

    static func setBusy(_ value: Bool) { busy.store(value, ordering: .releasing) }

    /// Installs the SIGTERM handler.
    public static func install() {
        signal(SIGTERM) { _ in
            if ShutdownSignal.busy.load(ordering: .acquiring) {
                ShutdownSignal.requested.store(true, ordering: .releasing)
            } else {
                _exit(0)
            }
        }
    }
}
