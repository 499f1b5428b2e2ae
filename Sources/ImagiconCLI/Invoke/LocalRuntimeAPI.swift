import FlyingFox
import Foundation
import LambdaRuntime

/// One invocation handed to the bootstrap child.
struct PendingInvocation: Sendable {
    let requestID: String
    let deadlineMillis: Int64
    let event: Data
    let traceID: String
    let functionARN: String
}

/// How one invocation ended.
enum InvocationOutcome: Sendable {
    case response(Data)
    case error(ErrorReport)
    case timedOut
    case crashed(exitCode: Int32?, signal: Int32?)
    case initError(ErrorReport)
}

/// The state behind the local Runtime API: at most one invocation in flight, as in Lambda.
actor LocalRuntimeState {
    private var queued: PendingInvocation?
    private var inFlight: PendingInvocation?
    private var nextWaiters: [CheckedContinuation<PendingInvocation?, Never>] = []
    private var outcomeWaiter: (id: String, continuation: CheckedContinuation<InvocationOutcome, Never>)?
    private var earlyOutcome: (id: String, outcome: InvocationOutcome)?
    private(set) var initError: ErrorReport?
    private(set) var firstNextAt: UInt64?
    /// Set once the current child has exited: how it ended.
    private var childExit: (code: Int32?, signal: Int32?)?
    /// Counts children, so a late exit notice of a replaced child is ignored.
    private var generation = 0
    /// Set when the replay is over: every `/next`, even one already on its way, answers at once.
    private var closed = false

    /// Queues an invocation for the next `/next` request.
    func offer(_ invocation: PendingInvocation) {
        earlyOutcome = nil
        if let exit = childExit {
            // The child died before it asked for this invocation (an init error, a crash at start).
            queued = invocation
            resolve(invocation.requestID, with: exitOutcome(exit))
            return
        }
        if !nextWaiters.isEmpty {
            inFlight = invocation
            nextWaiters.removeFirst().resume(returning: invocation)
        } else {
            queued = invocation
        }
    }

    /// Called for `GET /next`: returns the queued invocation or waits for one (nil: the child is gone).
    func next() async -> PendingInvocation? {
        // A request the server accepted before the end but handed over after it must not wait
        // for an invocation that will never come (stopping the server waits for its handlers).
        if closed { return nil }
        if firstNextAt == nil { firstNextAt = DispatchTime.now().uptimeNanoseconds }
        if let invocation = queued {
            queued = nil
            inFlight = invocation
            return invocation
        }
        return await withCheckedContinuation { nextWaiters.append($0) }
    }

    /// Waits for the outcome of `requestID` (resolved by a post, a timeout or the child's exit).
    func outcome(of requestID: String) async -> InvocationOutcome {
        if let early = earlyOutcome, early.id == requestID {
            earlyOutcome = nil
            return early.outcome
        }
        return await withCheckedContinuation { outcomeWaiter = (requestID, $0) }
    }

    /// Resolves `requestID` once; later resolutions are ignored. Returns whether this one won.
    @discardableResult
    func resolve(_ requestID: String, with outcome: InvocationOutcome) -> Bool {
        guard inFlight?.requestID == requestID || queued?.requestID == requestID else { return false }
        inFlight = nil
        if queued?.requestID == requestID { queued = nil }
        if let waiter = outcomeWaiter, waiter.id == requestID {
            outcomeWaiter = nil
            waiter.continuation.resume(returning: outcome)
        } else {
            earlyOutcome = (requestID, outcome)
        }
        return true
    }

    /// The id of the invocation the child is working on, if any.
    var currentRequestID: String? { inFlight?.requestID ?? queued?.requestID }

    func recordInitError(_ report: ErrorReport) { initError = report }

    /// The child exited: whatever it was given ends now, as an init error if it reported one.
    func childExited(generation: Int, code: Int32?, signal: Int32?) {
        guard generation == self.generation else { return }
        childExit = (code, signal)
        if let id = currentRequestID {
            resolve(id, with: exitOutcome((code, signal)))
        }
    }

    private func exitOutcome(_ exit: (code: Int32?, signal: Int32?)) -> InvocationOutcome {
        if let report = initError { return .initError(report) }
        return .crashed(exitCode: exit.code, signal: exit.signal)
    }

    /// Ends the replay: pending and future long polls answer "gone".
    func close() {
        closed = true
        _ = childGone()
    }

    /// Forgets the dead child's long polls and per-child facts before the next child starts;
    /// returns the new child's generation.
    func childGone() -> Int {
        generation += 1
        childExit = nil
        for waiter in nextWaiters { waiter.resume(returning: nil) }
        nextWaiters.removeAll()
        initError = nil
        firstNextAt = nil
        return generation
    }
}

/// A Lambda Runtime API (2018-06-01) served on 127.0.0.1 with FlyingFox.
struct LocalRuntimeAPI {
    let server: HTTPServer
    let state: LocalRuntimeState

    init(state: LocalRuntimeState) throws {
        self.state = state
        // Long polls on /next may wait as long as the whole replay: no per-request timeout to speak of.
        server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 7 * 24 * 3600, logger: .disabled)
    }

    /// Starts serving and returns `127.0.0.1:<port>`.
    func start() async throws -> String {
        let state = self.state
        let prefix = "/2018-06-01/runtime"
        await server.appendRoute(HTTPRoute("GET \(prefix)/invocation/next")) { _ in
            guard let invocation = await state.next() else {
                return HTTPResponse(statusCode: .gone, body: Data("{\"errorMessage\":\"runtime gone\"}".utf8))
            }
            var headers = HTTPHeaders()
            headers[HTTPHeader("Lambda-Runtime-Aws-Request-Id")] = invocation.requestID
            headers[HTTPHeader("Lambda-Runtime-Deadline-Ms")] = String(invocation.deadlineMillis)
            headers[HTTPHeader("Lambda-Runtime-Invoked-Function-Arn")] = invocation.functionARN
            headers[HTTPHeader("Lambda-Runtime-Trace-Id")] = invocation.traceID
            headers[.contentType] = "application/json"
            return HTTPResponse(statusCode: .ok, headers: headers, body: invocation.event)
        }
        await server.appendRoute(HTTPRoute("POST \(prefix)/invocation/:id/response")) { request in
            let id = request.routeParameters["id"] ?? ""
            let body = try await request.bodyData
            // Lambda's own limit on a synchronous response: it answers 413 and the invocation is not done.
            guard body.count <= Self.maxResponseBytes else {
                return HTTPResponse(
                    statusCode: HTTPStatusCode(413, phrase: "Payload Too Large"),
                    body: Data(#"{"errorType":"RequestEntityTooLarge","errorMessage":"response over 6291456 bytes"}"#.utf8))
            }
            let accepted = await state.resolve(id, with: .response(body))
            return Self.answer(accepted)
        }
        await server.appendRoute(HTTPRoute("POST \(prefix)/invocation/:id/error")) { request in
            let id = request.routeParameters["id"] ?? ""
            let report = Self.report(
                from: try await request.bodyData, headerType: request.headers[HTTPHeader("Lambda-Runtime-Function-Error-Type")])
            let accepted = await state.resolve(id, with: .error(report))
            return Self.answer(accepted)
        }
        await server.appendRoute(HTTPRoute("POST \(prefix)/init/error")) { request in
            let report = Self.report(
                from: try await request.bodyData, headerType: request.headers[HTTPHeader("Lambda-Runtime-Function-Error-Type")])
            await state.recordInitError(report)
            return HTTPResponse(statusCode: .accepted, body: Data("{\"status\":\"OK\"}".utf8))
        }
        let server = self.server
        Task { try? await server.run() }
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(let host, let port)? = await server.listeningAddress else {
            throw InvokeError("the local Runtime API did not start listening")
        }
        Self.disableNagle(onListenerPort: port)
        return "\(host):\(port)"
    }

    func stop() async { await server.stop() }

    /// FlyingFox writes a response's head and body in two sends; with Nagle's algorithm on, the body
    /// waits for the client's delayed ACK (~40 ms per response). Linux copies TCP_NODELAY from a
    /// listening socket to the connections it accepts, so setting it on our listener removes the stall.
    private static func disableNagle(onListenerPort port: UInt16) {
        for fd in Int32(0)..<1024 {
            var listening: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening == 1 else { continue }
            var address = sockaddr_in()
            var addressLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &addressLength) }
            }
            guard named == 0, UInt16(bigEndian: address.sin_port) == port else { continue }
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// The largest response Lambda accepts from a function invoked synchronously.
    static let maxResponseBytes = 6 * 1024 * 1024

    private static func answer(_ accepted: Bool) -> HTTPResponse {
        accepted
            ? HTTPResponse(statusCode: .accepted, body: Data("{\"status\":\"OK\"}".utf8))
            : HTTPResponse(statusCode: .badRequest, body: Data("{\"errorMessage\":\"unknown or finished request id\"}".utf8))
    }

    /// Reads an error report, tolerating bodies that are not the documented JSON.
    static func report(from body: Data, headerType: String?) -> ErrorReport {
        struct Wire: Decodable {
            var errorType: String?
            var errorMessage: String?
            var stackTrace: [String]?
        }
        let wire = try? JSONDecoder().decode(Wire.self, from: body)
        return ErrorReport(
            errorType: wire?.errorType ?? headerType ?? "Unknown",
            errorMessage: wire?.errorMessage ?? String(decoding: body.prefix(4096), as: UTF8.self),
            stackTrace: wire?.stackTrace ?? [])
    }
}

/// A failure of `imagicon invoke` itself.
struct InvokeError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
