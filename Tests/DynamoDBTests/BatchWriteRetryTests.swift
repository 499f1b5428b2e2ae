import Foundation
import Synchronization
import Testing

@testable import AWSCore
@testable import DynamoDB

/// A transport that answers from a script and records what it was sent.
final class ScriptedTransport: HTTPTransport {
    let responses: Mutex<[HTTPResponse]>
    let sent = Mutex<[HTTPRequest]>([])

    init(_ responses: [HTTPResponse]) { self.responses = Mutex(responses) }

    func send(_ request: HTTPRequest, limits: TransportLimits) async throws(AWSError) -> HTTPResponse {
        sent.withLock { $0.append(request) }
        guard let next = responses.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
            throw AWSError(.connection, "script exhausted")
        }
        return next
    }
}

/// Records the waits a client asked for.
final class SleepLog: Sendable {
    let values = Mutex<[Duration]>([])
    var recorded: [Duration] { values.withLock { $0 } }
}

@Suite("BatchWriteItem retries unprocessed items")
struct BatchWriteRetryTests {
    static func json(_ text: String) -> HTTPResponse { HTTPResponse(status: 200, body: Array(text.utf8)) }

    static func client(_ transport: ScriptedTransport, sleeps: SleepLog) -> DynamoDBClient {
        let signer = SigV4Signer(
            credentials: .init(accessKeyID: "AKID", secretAccessKey: "secret"),
            region: "us-east-1", service: "dynamodb", rules: .standard)
        let engine = AWSServiceClient(
            signer: signer, endpoint: AWSEndpoint(host: "dynamodb.us-east-1.amazonaws.com", isCustom: false),
            transport: transport, retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1)),
            now: { Date(timeIntervalSince1970: 1_700_000_000) },
            sleep: { duration in sleeps.values.withLock { $0.append(duration) } },
            random: { 0.5 })
        return DynamoDBClient(engine: engine)
    }

    @Test("resends exactly the unprocessed writes after a backoff, in 25-item chunks")
    func resendsUnprocessed() async throws {
        let unprocessed =
            #"{"UnprocessedItems":{"t":[{"PutRequest":{"Item":{"PK":{"S":"k3"}}}},{"DeleteRequest":{"Key":{"PK":{"S":"k7"}}}}]}}"#
        let transport = ScriptedTransport([Self.json(unprocessed), Self.json(#"{"UnprocessedItems":{}}"#), Self.json("{}")])
        let sleeps = SleepLog()
        let client = Self.client(transport, sleeps: sleeps)
        var requests: [DynamoDBWriteRequest] = (0..<26).map { .put(["PK": .s("k\($0)")]) }
        requests[7] = .delete(key: ["PK": .s("k7")])
        try await client.batchWrite(table: "t", requests: requests)

        let bodies = try transport.sent.withLock { sent in
            try sent.map { try JSONDecoder().decode([String: [String: [DynamoDBWriteRequest]]].self, from: Data($0.body)) }
        }
        #expect(bodies.count == 3)
        #expect(bodies[0]["RequestItems"]?["t"]?.count == 25)
        #expect(bodies[1]["RequestItems"]?["t"] == [.put(["PK": .s("k3")]), .delete(key: ["PK": .s("k7")])])
        #expect(bodies[2]["RequestItems"]?["t"] == [.put(["PK": .s("k25")])])
        #expect(transport.sent.withLock { $0[0].headers["X-Amz-Target"] } == "DynamoDB_20120810.BatchWriteItem")
        #expect(sleeps.recorded == [.milliseconds(50)])
    }

    @Test("gives up with .throttled after maxRounds")
    func givesUp() async throws {
        let unprocessed = #"{"UnprocessedItems":{"t":[{"PutRequest":{"Item":{"PK":{"S":"k"}}}}]}}"#
        let transport = ScriptedTransport(Array(repeating: Self.json(unprocessed), count: 10))
        let sleeps = SleepLog()
        let client = Self.client(transport, sleeps: sleeps)
        let error = await #expect(throws: AWSError.self) {
            try await client.batchWrite(table: "t", requests: [DynamoDBWriteRequest.put(["PK": .s("k")])], maxRounds: 4)
        }
        #expect(error?.code == .throttled)
        #expect(transport.sent.withLock { $0.count } == 4)
        #expect(sleeps.recorded == [.milliseconds(50), .milliseconds(100), .milliseconds(200)])
    }

    @Test("a conditional-check failure surfaces as its own error code, not retried")
    func conditionalFailure() async throws {
        let body =
            #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#
        let transport = ScriptedTransport([HTTPResponse(status: 400, headers: ["x-amzn-RequestId": "RID1"], body: Array(body.utf8))])
        let sleeps = SleepLog()
        let error = await #expect(throws: AWSError.self) {
            try await Self.client(transport, sleeps: sleeps).putItem(table: "t", item: ["PK": "a"], condition: "attribute_not_exists(PK)")
        }
        #expect(error?.code == .conditionalCheckFailed)
        #expect(error?.serviceCode == "ConditionalCheckFailedException")
        #expect(error?.serviceMessage == "The conditional request failed")
        #expect(error?.requestID == "RID1")
        #expect(transport.sent.withLock { $0.count } == 1)
        #expect(sleeps.recorded.isEmpty)
    }
}
