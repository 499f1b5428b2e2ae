import Foundation
import LambdaRuntime
import Synchronization
import TestSupport
import Testing

@testable import Imagicon

/// The `process` handler in process, with a scripted processor: what it acknowledges, what it
/// retries, and what SQS is told to redeliver.
@Suite("process handler: SQS batch failures, skipped kinds, replayed DLQ records (in process)")
struct ProcessHandlerTests {
    /// Records the events it is given; fails those whose key contains "fail".
    final class ScriptedProcessor: ObjectProcessing {
        let seen = Mutex<[ObjectEvent]>([])
        func process(_ event: ObjectEvent, context: LambdaContext) async throws -> ObjectOutcome {
            seen.withLock { $0.append(event) }
            if event.key.contains("fail") { throw ProcessingError(.transient, "scripted failure of \(event.key)") }
            return ObjectOutcome(status: event.kind == .removed ? .deleted : .processed, bucket: event.bucket, key: event.key)
        }
        var keys: [String] { seen.withLock { $0.map(\.key) } }
    }

    static let context = LambdaContext.test()

    static func record(_ key: String, _ name: String = "ObjectCreated:Put") -> String {
        #"{"eventName":"\#(name)","s3":{"bucket":{"name":"b"},"object":{"key":"\#(key)","size":1,"sequencer":"0A"}}}"#
    }

    static func sqs(_ bodies: [(String, String)]) throws -> [UInt8] {
        let records = try bodies.map { id, body in
            #"{"messageId":"\#(id)","eventSource":"aws:sqs","body":\#(String(decoding: try JSONEncoder().encode(body), as: UTF8.self))}"#
        }
        return Array(#"{"Records":[\#(records.joined(separator: ","))]}"#.utf8)
    }

    static func response(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func sqsBatchReportsOnlyTheMessagesToRedeliver() async throws {
        let processor = ScriptedProcessor()
        let handler = ProcessHandler(processor: processor)
        let event = try Self.sqs([
            ("ok-1", #"{"Records":[\#(Self.record("a/1.jpg"))]}"#),
            ("fail-2", #"{"Records":[\#(Self.record("a/fail.jpg"))]}"#),
            ("bad-3", "not json"),
            ("test-4", #"{"Event":"s3:TestEvent","Bucket":"b"}"#),
            ("restore-5", #"{"Records":[\#(Self.record("a/5.jpg", "ObjectRestore:Completed"))]}"#),
        ])
        let response = try Self.response(try await handler.handle(event, context: Self.context))
        let failures = try #require(response["batchItemFailures"] as? [[String: Any]])
        #expect(failures.compactMap { $0["itemIdentifier"] as? String } == ["fail-2", "bad-3"])
        // Kinds we do not act on never reach the processor.
        #expect(processor.keys == ["a/1.jpg", "a/fail.jpg"])
    }

    @Test func directEventsFailWholeOnATransientErrorAndSkipOtherKinds() async throws {
        let processor = ScriptedProcessor()
        let handler = ProcessHandler(processor: processor)
        let skipped = Array(#"{"Records":[\#(Self.record("a/2.jpg", "LifecycleTransition"))]}"#.utf8)
        let response = try Self.response(try await handler.handle(skipped, context: Self.context))
        let objects = try #require(response["objects"] as? [[String: Any]])
        #expect(objects.first?["status"] as? String == "skipped")
        #expect((objects.first?["reason"] as? String)?.contains("LifecycleTransition") == true)
        let failing = Array(#"{"Records":[\#(Self.record("a/1.jpg")),\#(Self.record("a/fail.jpg"))]}"#.utf8)
        await #expect(throws: ProcessingError.self) { _ = try await handler.handle(failing, context: Self.context) }
        #expect(processor.keys == ["a/1.jpg", "a/fail.jpg"])
    }

    @Test func destinationRecordsAreProcessedAsTheirRequestPayload() async throws {
        let processor = ScriptedProcessor()
        let handler = ProcessHandler(processor: processor)
        let original = #"{"Records":[\#(Self.record("a/replayed%20photo.jpg"))]}"#
        let record =
            #"{"version":"1.0","requestContext":{"condition":"RetriesExhausted"},"requestPayload":\#(original),"responsePayload":{}}"#
        let response = try Self.response(try await handler.handle(Array(record.utf8), context: Self.context))
        #expect((response["objects"] as? [[String: Any]])?.first?["status"] as? String == "processed")
        // The same record arriving through an SQS on-failure queue.
        _ = try await handler.handle(try Self.sqs([("m1", record)]), context: Self.context)
        #expect(processor.keys == ["a/replayed photo.jpg", "a/replayed photo.jpg"])
    }
}
