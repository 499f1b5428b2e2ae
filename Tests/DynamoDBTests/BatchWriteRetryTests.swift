import Foundation
import TestSupport
import Testing

@testable import AWSCore
@testable import DynamoDB

@Suite("BatchWriteItem retries unprocessed items")
struct BatchWriteRetryTests {
    static func json(_ text: String) -> HTTPResponse { HTTPResponse(status: 200, body: Array(text.utf8)) }

    static func client(_ transport: ScriptedTransport, sleeps: SleepLog) -> DynamoDBClient {
        DynamoDBClient(engine: transport.engine(service: "dynamodb", sleeps: sleeps))
    }

    @Test("resends exactly the unprocessed writes after a backoff, in 25-item chunks")
    func resendsUnprocessed() async throws {
        let unprocessed =
            #"{"UnprocessedItems":{"t":[{"PutRequest":{"Item":{"PK":{"S":"k3"}}}},{"DeleteRequest":{"Key":{"PK":{"S":"k7"}}}}]}}"#
        let transport = ScriptedTransport(responses: [Self.json(unprocessed), Self.json(#"{"UnprocessedItems":{}}"#), Self.json("{}")])
        let sleeps = SleepLog()
        let client = Self.client(transport, sleeps: sleeps)
        var requests: [DynamoDBWriteRequest] = (0..<26).map { .put(["PK": .s("k\($0)")]) }
        requests[7] = .delete(key: ["PK": .s("k7")])
        try await client.batchWrite(table: "t", requests: requests)

        let bodies = try transport.sent.map {
            try JSONDecoder().decode([String: [String: [DynamoDBWriteRequest]]].self, from: Data($0.body))
        }
        #expect(bodies.count == 3)
        #expect(bodies[0]["RequestItems"]?["t"]?.count == 25)
        #expect(bodies[1]["RequestItems"]?["t"] == [.put(["PK": .s("k3")]), .delete(key: ["PK": .s("k7")])])
        #expect(bodies[2]["RequestItems"]?["t"] == [.put(["PK": .s("k25")])])
        #expect(transport.sent[0].headers["X-Amz-Target"] == "DynamoDB_20120810.BatchWriteItem")
        #expect(sleeps.recorded == [.milliseconds(50)])
    }

    @Test("gives up with .throttled after maxRounds")
    func givesUp() async throws {
        let unprocessed = #"{"UnprocessedItems":{"t":[{"PutRequest":{"Item":{"PK":{"S":"k"}}}}]}}"#
        let transport = ScriptedTransport(responses: Array(repeating: Self.json(unprocessed), count: 10))
        let sleeps = SleepLog()
        let client = Self.client(transport, sleeps: sleeps)
        let error = await #expect(throws: AWSError.self) {
            try await client.batchWrite(table: "t", requests: [DynamoDBWriteRequest.put(["PK": .s("k")])], maxRounds: 4)
        }
        #expect(error?.code == .throttled)
        #expect(transport.count == 4)
        #expect(sleeps.recorded == [.milliseconds(50), .milliseconds(100), .milliseconds(200)])
    }

    @Test("a conditional-check failure surfaces as its own error code, not retried")
    func conditionalFailure() async throws {
        let body =
            #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#
        let transport = ScriptedTransport(responses: [
            HTTPResponse(status: 400, headers: ["x-amzn-RequestId": "RID1"], body: Array(body.utf8))
        ])
        let sleeps = SleepLog()
        let error = await #expect(throws: AWSError.self) {
            try await Self.client(transport, sleeps: sleeps).putItem(table: "t", item: ["PK": "a"], condition: "attribute_not_exists(PK)")
        }
        #expect(error?.code == .conditionalCheckFailed)
        #expect(error?.serviceCode == "ConditionalCheckFailedException")
        #expect(error?.serviceMessage == "The conditional request failed")
        #expect(error?.requestID == "RID1")
        #expect(transport.count == 1)
        #expect(sleeps.recorded.isEmpty)
    }
}
