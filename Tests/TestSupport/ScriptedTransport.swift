import AWSCore
import Foundation
import Synchronization

/// An `HTTPTransport` with no network: answers from a script of steps (or from a responder when the
/// script is empty) and records every request it was sent. Shared by every suite that tests an AWS
/// client or a handler in process.
public final class ScriptedTransport: HTTPTransport {
    /// One scripted answer.
    public enum Step: Sendable {
        /// Answer with this response.
        case respond(HTTPResponse)
        /// Fail the transfer with this error (a connection reset, a timeout...).
        case fail(AWSError)
    }

    private let steps: Mutex<[Step]>
    private let responder: (@Sendable (HTTPRequest) throws(AWSError) -> HTTPResponse)?
    private let log = Mutex<[(request: HTTPRequest, limits: TransportLimits)]>([])

    /// Plays `steps` in order; once they run out, asks `responder`, or fails with "script exhausted".
    public init(_ steps: [Step] = [], responder: (@Sendable (HTTPRequest) throws(AWSError) -> HTTPResponse)? = nil) {
        self.steps = Mutex(steps)
        self.responder = responder
    }

    /// Answers these responses in order.
    public convenience init(responses: [HTTPResponse]) {
        self.init(responses.map(Step.respond))
    }

    public func send(_ request: HTTPRequest, limits: TransportLimits) async throws(AWSError) -> HTTPResponse {
        log.withLock { $0.append((request, limits)) }
        let step = steps.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch step {
        case .respond(let response): return response
        case .fail(let error): throw error
        case nil:
            guard let responder else { throw AWSError(.connection, "script exhausted") }
            return try responder(request)
        }
    }

    /// Every request sent so far, in order.
    public var sent: [HTTPRequest] { log.withLock { $0.map(\.request) } }

    /// The limits each request was sent under, in order.
    public var sentLimits: [TransportLimits] { log.withLock { $0.map(\.limits) } }

    /// How many requests were sent.
    public var count: Int { log.withLock { $0.count } }

    /// An engine over this transport for `service`, with a fixed clock, the waits recorded in `sleeps`
    /// instead of slept, and jitter `random`: deterministic retries, no waiting.
    public func engine(
        service: String, rules: SigV4Signer.Rules = .standard, host: String? = nil, sleeps: SleepLog = SleepLog(),
        retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1)),
        now: @escaping @Sendable () -> Date = { Date(timeIntervalSince1970: 1_700_000_000) }, random: Double = 0.5
    ) -> AWSServiceClient {
        AWSServiceClient(
            signer: SigV4Signer(
                credentials: AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret"), region: "us-east-1",
                service: service, rules: rules),
            endpoint: AWSEndpoint(host: host ?? "\(service).us-east-1.amazonaws.com", isCustom: false),
            transport: self, retry: retry, now: now,
            sleep: { duration in sleeps.record(duration) },
            random: { random })
    }
}

/// Records the waits a client asked for instead of waiting.
public final class SleepLog: Sendable {
    private let values = Mutex<[Duration]>([])
    private let clock: TestClock?

    /// Creates an empty log; each recorded wait moves `clock` (when given) forward by its length.
    public init(advancing clock: TestClock? = nil) {
        self.clock = clock
    }

    /// Adds one requested wait.
    public func record(_ duration: Duration) {
        values.withLock { $0.append(duration) }
        clock?.advance(by: duration)
    }

    /// The waits asked for, in order.
    public var recorded: [Duration] { values.withLock { $0 } }
}

extension HTTPResponse {
    /// A response with a UTF-8 body.
    public static func text(_ status: Int, _ body: String = "", headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }
}
