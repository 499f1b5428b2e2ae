import Foundation
import TestSupport
import Testing

@testable import AWSCore

@Suite("AWS calls under an invocation deadline: timeouts and retries from the time left")
struct DeadlineTests {
    static let request = HTTPRequest(method: "GET", endpoint: AWSEndpoint(host: "s3.us-east-1.amazonaws.com", isCustom: false), path: "/k")
    static let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1))

    /// A transport whose every call takes `callMillis` on `clock` and then times out.
    static func timingOut(_ clock: TestClock, callMillis: Int64) -> ScriptedTransport {
        ScriptedTransport { _ throws(AWSError) in
            clock.advance(by: .milliseconds(callMillis))
            throw AWSError(.timeout, "operation timed out")
        }
    }

    @Test("a deadline 2 s away: each attempt's timeouts end at it, retries stop before it, no sleep passes it")
    func boundedByDeadline() async throws {
        let clock = TestClock()
        let deadline = AWSDeadline(clock.later(milliseconds: 2000))
        let transport = Self.timingOut(clock, callMillis: 700)
        let sleeps = SleepLog(advancing: clock)
        let engine = transport.engine(service: "s3", sleeps: sleeps, retry: Self.policy, now: { clock.now }, random: 1.0)
        let error = await #expect(throws: AWSError.self) {
            try await AWSDeadline.$current.withValue(deadline) {
                try await engine.send(Self.request, payload: .empty, operation: "GetObject")
            }
        }
        #expect(error?.code == .timeout)
        #expect(error?.message.contains("not retried: too little time left before the invocation's deadline") == true)
        // t=0: 2000 ms left; t=800 (700 ms call + 100 ms wait): 1200; t=1700: 300. Then a 400 ms
        // wait would leave no time: the fourth of ten allowed attempts never starts.
        #expect(transport.sentLimits.map(\.totalTimeoutMilliseconds) == [2000, 1200, 300])
        #expect(transport.sentLimits.map(\.connectTimeoutMilliseconds) == [2000, 1200, 300])
        #expect(sleeps.recorded == [.milliseconds(100), .milliseconds(200)])
    }

    @Test("a far deadline keeps the fixed limits and the policy's attempts")
    func farDeadline() async throws {
        let clock = TestClock()
        let transport = Self.timingOut(clock, callMillis: 10)
        let sleeps = SleepLog(advancing: clock)
        let engine = transport.engine(service: "s3", sleeps: sleeps, retry: Self.policy, now: { clock.now }, random: 1.0)
        await #expect(throws: AWSError.self) {
            try await AWSDeadline.$current.withValue(AWSDeadline(clock.later(milliseconds: 900_000))) {
                try await engine.send(Self.request, payload: .empty, operation: "GetObject")
            }
        }
        #expect(transport.count == 10)
        #expect(transport.sentLimits.allSatisfy { $0 == .default })
    }

    @Test("past the deadline (or within the minimum attempt of it) nothing is sent and the error says why")
    func pastDeadline() async throws {
        for left: Int64 in [-5000, 0, 99] {
            let clock = TestClock()
            let transport = ScriptedTransport(responses: [HTTPResponse(status: 200)])
            let sleeps = SleepLog(advancing: clock)
            let engine = transport.engine(service: "dynamodb", sleeps: sleeps, now: { clock.now })
            let error = await #expect(throws: AWSError.self) {
                try await AWSDeadline.$current.withValue(AWSDeadline(clock.later(milliseconds: left))) {
                    try await engine.send(Self.request, payload: .empty, operation: "PutItem")
                }
            }
            #expect(error?.code == .timeout)
            #expect(error?.message == "PutItem not sent: \(max(0, left)) ms left before the invocation's deadline")
            #expect(transport.count == 0)
            #expect(sleeps.recorded.isEmpty)
        }
    }

    @Test("the deadline reaches calls made in child tasks")
    func childTasks() async throws {
        let clock = TestClock()
        let transport = ScriptedTransport { _ throws(AWSError) in HTTPResponse(status: 200) }
        let engine = transport.engine(service: "s3", now: { clock.now })
        try await AWSDeadline.$current.withValue(AWSDeadline(clock.later(milliseconds: 1500))) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { _ = try await engine.send(Self.request, payload: .empty, operation: "PutObject") } }
                try await group.waitForAll()
            }
        }
        #expect(transport.sentLimits.map(\.totalTimeoutMilliseconds) == [1500, 1500, 1500])
    }

    @Test("an operation-level backoff (BatchWriteItem) does not sleep past the deadline")
    func backoff() async throws {
        let clock = TestClock()
        let sleeps = SleepLog(advancing: clock)
        let engine = ScriptedTransport().engine(service: "dynamodb", sleeps: sleeps, retry: Self.policy, now: { clock.now }, random: 1.0)
        try await AWSDeadline.$current.withValue(AWSDeadline(clock.later(milliseconds: 1000))) {
            try await engine.backoff(beforeRetry: 3) // 400 ms: 600 left after it
            let error = await #expect(throws: AWSError.self) { try await engine.backoff(beforeRetry: 4) } // 800 ms: would pass it
            #expect(error?.code == .timeout)
        }
        #expect(sleeps.recorded == [.milliseconds(400)])
    }

    @Test("timeouts are cut to the time left, never raised")
    func limits() {
        let limits = TransportLimits(connectTimeoutMilliseconds: 3000, totalTimeoutMilliseconds: 60_000)
        #expect(AWSDeadline.limits(limits, within: 100_000) == limits)
        #expect(AWSDeadline.limits(limits, within: 10_000).totalTimeoutMilliseconds == 10_000)
        #expect(AWSDeadline.limits(limits, within: 10_000).connectTimeoutMilliseconds == 3000)
        #expect(AWSDeadline.limits(limits, within: 1200).connectTimeoutMilliseconds == 1200)
        #expect(AWSDeadline.limits(limits, within: -3).totalTimeoutMilliseconds == 1)
        #expect(AWSDeadline(epochMillis: 1_700_000_002_500).millisecondsLeft(at: Date(timeIntervalSince1970: 1_700_000_000)) == 2500)
    }
}
