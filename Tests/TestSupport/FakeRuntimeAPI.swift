import LambdaRuntime
import Synchronization

/// A Runtime API in memory: hands out queued invocations and records what the loop sends back.
public final class FakeRuntimeAPI: RuntimeAPI, Sendable {
    /// What the runtime loop sent.
    public enum Sent: Equatable, Sendable {
        case response(String, [UInt8])
        case error(String, ErrorReport)
        case initError(ErrorReport)
    }

    private let queue: Mutex<[Invocation]>
    private let log = Mutex<[Sent]>([])
    private let maxResponseBytes: Int

    /// Serves `invocations` in order, then fails `/next` (which ends the loop). Responses over
    /// `maxResponseBytes` are refused as Lambda refuses them (413), and not recorded.
    public init(_ invocations: [Invocation], maxResponseBytes: Int = 6 * 1024 * 1024) {
        queue = Mutex(invocations)
        self.maxResponseBytes = maxResponseBytes
    }

    public func nextInvocation() throws -> Invocation {
        guard let next = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
            throw LambdaRuntimeError(.transport, "no more invocations")
        }
        return next
    }

    public func sendResponse(requestID: String, body: [UInt8]) throws {
        guard body.count <= maxResponseBytes else {
            throw LambdaRuntimeError(.responseRefused, "the Runtime API refused a \(body.count)-byte response with 413")
        }
        log.withLock { $0.append(.response(requestID, body)) }
    }

    public func sendError(requestID: String, report: ErrorReport) throws { log.withLock { $0.append(.error(requestID, report)) } }

    public func sendInitError(_ report: ErrorReport) throws { log.withLock { $0.append(.initError(report)) } }

    /// Invocations not handed out yet.
    public var pending: Int { queue.withLock { $0.count } }

    /// Everything sent so far, in order.
    public var sent: [Sent] { log.withLock { $0 } }
}
