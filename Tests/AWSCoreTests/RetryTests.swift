import Foundation
import Synchronization
import TestSupport
import Testing

@testable import AWSCore

@Suite("Retries: capped exponential backoff with full jitter")
struct RetryTests {
    static let endpoint = AWSEndpoint(host: "s3.us-east-1.amazonaws.com", isCustom: false)

    static func engine(
        _ transport: ScriptedTransport, sleeps: SleepLog, random: Double = 1.0,
        policy: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(100), maxDelay: .milliseconds(250))
    )
        -> AWSServiceClient
    {
        let clock = Mutex(1_700_000_000.0)
        return AWSServiceClient(
            signer: SigV4Signer(
                credentials: .init(accessKeyID: "AKID", secretAccessKey: "s"), region: "us-east-1", service: "s3", rules: .s3),
            endpoint: endpoint, transport: transport, retry: policy,
            now: {
                Date(
                    timeIntervalSince1970: clock.withLock {
                        $0 += 1
                        return $0
                    })
            },
            sleep: { duration in sleeps.record(duration) },
            random: { random })
    }

    static let request = HTTPRequest(method: "GET", endpoint: endpoint, path: "/k")
    static let ok = ScriptedTransport.Step.respond(HTTPResponse(status: 200, body: Array("ok".utf8)))
    static func status(_ code: Int, _ body: String = "") -> ScriptedTransport.Step {
        .respond(HTTPResponse(status: code, body: Array(body.utf8)))
    }

    @Test("backoff ceilings double up to the cap; jitter scales uniformly")
    func policy() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(50), maxDelay: .seconds(1))
        #expect((1...7).map { policy.ceiling(beforeRetry: $0) } == [50, 100, 200, 400, 800, 1000, 1000].map { .milliseconds($0) })
        #expect(policy.delay(beforeRetry: 3, random: 0) == .zero)
        #expect(policy.delay(beforeRetry: 3, random: 0.25) == .milliseconds(50))
        #expect(policy.delay(beforeRetry: 100, random: 1) == .seconds(1))
        #expect(policy.delay(beforeRetry: 2, random: 7) == .milliseconds(100)) // clamped random
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }

    @Test("throttling, 5xx and connection failures are retried, then succeed")
    func retriesThenSucceeds() async throws {
        let transport = ScriptedTransport([
            Self.status(503, "<Error><Code>SlowDown</Code></Error>"),
            .fail(AWSError(.connection, "reset")),
            Self.status(500),
            Self.ok,
        ])
        let sleeps = SleepLog()
        let response = try await Self.engine(transport, sleeps: sleeps).send(Self.request, payload: .empty, operation: "GetObject")
        #expect(response.body == Array("ok".utf8))
        #expect(transport.count == 4)
        #expect(sleeps.recorded == [.milliseconds(100), .milliseconds(200), .milliseconds(250)])
        // Every attempt is signed afresh (a new date, so a new signature).
        let dates = transport.sent.map { $0.headers["X-Amz-Date"] ?? "" }
        #expect(Set(dates).count == 4)
        #expect(transport.sent.allSatisfy { $0.headers.fields.filter { $0.name == "Authorization" }.count == 1 })
    }

    @Test("the retry budget is bounded and the last error is thrown")
    func bounded() async throws {
        let transport = ScriptedTransport(Array(repeating: Self.status(503, #"{"__type":"ThrottlingException"}"#), count: 10))
        let sleeps = SleepLog()
        let error = await #expect(throws: AWSError.self) {
            try await Self.engine(transport, sleeps: sleeps, random: 0.5).send(Self.request, payload: .empty, operation: "Query")
        }
        #expect(error?.code == .throttled)
        #expect(error?.serviceCode == "ThrottlingException")
        #expect(transport.count == 4)
        #expect(sleeps.recorded == [.milliseconds(50), .milliseconds(100), .milliseconds(125)])
    }

    @Test("client errors are never retried", arguments: [400, 403, 404, 409, 412])
    func noRetryOn4xx(_ status: Int) async throws {
        let transport = ScriptedTransport([Self.status(status), Self.ok])
        let sleeps = SleepLog()
        await #expect(throws: AWSError.self) {
            try await Self.engine(transport, sleeps: sleeps).send(Self.request, payload: .empty, operation: "x")
        }
        #expect(transport.count == 1)
        #expect(sleeps.recorded.isEmpty)
    }

    @Test("a too-large response is not retried")
    func noRetryOnTooLarge() async throws {
        let transport = ScriptedTransport([.fail(AWSError(.responseTooLarge, "big")), Self.ok])
        let sleeps = SleepLog()
        let error = await #expect(throws: AWSError.self) {
            try await Self.engine(transport, sleeps: sleeps).send(Self.request, payload: .empty, operation: "x")
        }
        #expect(error?.code == .responseTooLarge)
        #expect(transport.count == 1)
    }

    @Test("maxAttempts 1 means no retry")
    func single() async throws {
        let transport = ScriptedTransport([Self.status(500), Self.ok])
        let sleeps = SleepLog()
        await #expect(throws: AWSError.self) {
            try await Self.engine(transport, sleeps: sleeps, policy: .none).send(Self.request, payload: .empty, operation: "x")
        }
        #expect(transport.count == 1)
    }
}
