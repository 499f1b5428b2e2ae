import LambdaRuntime

/// A Runtime API in memory: hands out queued invocations and records what the loop sends back.
final class FakeRuntimeAPI: RuntimeAPI, @unchecked Sendable {
    enum Sent: Equatable {
        case response(String, [UInt8])
        case error(String, ErrorReport)
        case initError(ErrorReport)
    }

    var queue: [Invocation]
    var sent: [Sent] = []

    init(_ invocations: [Invocation]) { queue = invocations }

    func nextInvocation() throws -> Invocation {
        guard !queue.isEmpty else { throw LambdaRuntimeError(.transport, "no more invocations") }
        return queue.removeFirst()
    }

    func sendResponse(requestID: String, body: [UInt8]) throws { sent.append(.response(requestID, body)) }
    func sendError(requestID: String, report: ErrorReport) throws { sent.append(.error(requestID, report)) }
    func sendInitError(_ report: ErrorReport) throws { sent.append(.initError(report)) }
}

/// Echoes the event, fails on `fail`, reports the request id on `id`.
struct ScriptedHandler: LambdaHandler {
    struct Failure: Error, CustomStringConvertible { var description: String { "scripted failure" } }

    func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        switch String(decoding: event, as: UTF8.self) {
        case "fail": throw Failure()
        case "id": return Array(context.requestID.utf8)
        default: return event
        }
    }
}
