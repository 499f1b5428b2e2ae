import Foundation
import Testing

@testable import Imagicon

@Suite("Event decoding on the events/ fixtures")
struct LambdaEventTests {
    func objects(_ name: String) throws -> [ObjectEvent] {
        guard case .objects(let objects) = try LambdaEvent.decode(EventFixtures.bytes(name)) else {
            Issue.record("\(name) did not decode to objects")
            return []
        }
        return objects
    }

    @Test func putJPEG() throws {
        let events = try objects("s3-put-jpeg.json")
        #expect(
            events == [
                ObjectEvent(
                    kind: .created, eventName: "ObjectCreated:Put", bucket: "imagicon-uploads",
                    key: "weddings/2026/IMG_0001.jpg", size: 2_412_345, eTag: "9b2cf535f27731c974343645a3985328",
                    sequencer: "0062E99A88DC407460", eventTime: "2026-11-23T10:15:30.123Z", region: "us-east-1")
            ])
    }

    @Test func multipartPNG() throws {
        let event = try #require(try objects("s3-multipart-png.json").first)
        #expect(event.kind == .created)
        #expect(event.eventName == "ObjectCreated:CompleteMultipartUpload")
        #expect(event.key == "scans/page-01.png")
        #expect(event.eTag == "d41d8cd98f00b204e9800998ecf8427e-3")
    }

    @Test func plusIsSpaceAndPercent2BIsPlus() throws {
        #expect(try objects("s3-put-key-with-spaces.json").first?.key == "summer trip/beach day 1 + friends.jpg")
    }

    @Test func percentEncodedUTF8() throws {
        #expect(try objects("s3-put-key-utf8.json").first?.key == "café/写真 été.jpg")
    }

    @Test func lenientProducer() throws {
        let event = try #require(try objects("s3-put-lenient.json").first)
        #expect(event.key == "albums/old/scan.webp")
        #expect(event.sequencer == nil)
        #expect(event.eTag == nil)
        #expect(event.eventTime == "2026-11-23T10:15:30.123")
        #expect(event.eventName == "ObjectCreated:Copy")
    }

    @Test func severalRecords() throws {
        #expect(try objects("s3-put-two-records.json").map(\.key) == ["weddings/2026/IMG_0002.jpg", "weddings/2026/IMG_0003.jpg"])
    }

    @Test func removed() throws {
        let event = try #require(try objects("s3-removed-delete.json").first)
        #expect(event.kind == .removed)
        #expect(event.size == nil)
    }

    @Test func testEvent() throws {
        #expect(try LambdaEvent.decode(EventFixtures.bytes("s3-test-event.json")) == .s3TestEvent)
    }

    @Test func sqsBatch() throws {
        guard case .sqs(let messages) = try LambdaEvent.decode(EventFixtures.bytes("sqs-s3-put.json")) else {
            Issue.record("not an SQS batch")
            return
        }
        #expect(messages.map(\.messageID) == ["059f36b4-87a3-44ab-83d2-661975830a7d", "2e1424d4-f796-459a-8184-9c92662be6da"])
        guard case .success(.objects(let objects)) = messages[0].content else {
            Issue.record("first message is not an S3 event")
            return
        }
        #expect(objects.map(\.key) == ["weddings/2026/IMG_0004.jpg"])
        #expect(messages[1].content == .success(.s3TestEvent))
    }

    @Test func sqsBadMessageIsIsolated() throws {
        guard case .sqs(let messages) = try LambdaEvent.decode(EventFixtures.bytes("sqs-with-bad-message.json")) else {
            Issue.record("not an SQS batch")
            return
        }
        #expect(messages.count == 2)
        guard case .success(.objects(let objects)) = messages[0].content else {
            Issue.record("first message should decode")
            return
        }
        #expect(objects.first?.key == "weddings/2026/IMG_0005.jpg")
        guard case .failure(let error) = messages[1].content else {
            Issue.record("second message should fail")
            return
        }
        #expect(error.code == .notJSON)
        #expect(error.message.contains("a1b2c3d4-0000-4000-8000-000000000002"))
    }

    @Test func eventBridgeCreatedAndDeleted() throws {
        let created = try #require(try objects("eventbridge-object-created.json").first)
        #expect(
            created
                == ObjectEvent(
                    kind: .created, eventName: "Object Created:PutObject", bucket: "imagicon-uploads",
                    key: "weddings/2026/IMG_0006.jpg", size: 5576, eTag: "b1946ac92492d2347c6235b4d2611184",
                    sequencer: "00617F08299329D189", eventTime: "2026-11-23T10:15:30Z", region: "us-east-1"))
        let deleted = try #require(try objects("eventbridge-object-deleted.json").first)
        #expect(deleted.kind == .removed)
        #expect(deleted.sequencer == "00617F0837B63E3B4B")
    }

    @Test(arguments: [
        ("malformed/not-json.json", EventDecodingError.Code.notJSON, "not valid JSON"),
        ("malformed/missing-records.json", .unknownShape, "no Records"),
        ("malformed/records-not-array.json", .invalidField, "$.Records must be an array"),
        ("malformed/key-wrong-type.json", .invalidField, "$.Records[0].s3.object.key must be a string"),
        ("malformed/size-wrong-type.json", .invalidField, "$.Records[0].s3.object.size"),
        ("malformed/key-bad-percent.json", .invalidKey, "bad%ZZkey.jpg"),
        ("malformed/missing-bucket.json", .missingField, "$.Records[0].s3.bucket is missing"),
    ])
    func malformed(name: String, code: EventDecodingError.Code, fragment: String) throws {
        let error = try #require(throws: EventDecodingError.self) { try LambdaEvent.decode(EventFixtures.bytes(name)) }
        #expect(error.code == code)
        #expect(error.message.contains(fragment), "\(error.message)")
    }

    @Test func everyFixtureDecodesOrFailsClearly() throws {
        let names = try EventFixtures.all()
        #expect(names.count >= 20)
        for name in names where !name.hasPrefix("function-url") {
            do {
                _ = try LambdaEvent.decode(EventFixtures.bytes(name))
                #expect(!name.hasPrefix("malformed/"), "\(name) should not decode")
            } catch let error as EventDecodingError {
                #expect(name.hasPrefix("malformed/"), "\(name): \(error.message)")
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test func eventBridgeKeysAreVerbatim() throws {
        // EventBridge does not URL-encode keys: decoding them would turn `+` into a space and refuse `%`.
        #expect(try objects("eventbridge-key-verbatim.json").first?.key == "weddings/2026/c++ notes 100% done.jpg")
    }

    @Test func eventKindsWeDoNotActOnAreOther() throws {
        let tags = try #require(try objects("eventbridge-object-tags-added.json").first)
        #expect(tags.kind == .other && tags.eventName == "Object Tags Added")
        let lost = try #require(try objects("s3-reduced-redundancy-lost.json").first)
        #expect(lost.kind == .other && lost.eventName.contains("ReducedRedundancyLostObject"))
    }

    @Test func destinationRecordsReplayTheirRequestPayload() throws {
        #expect(
            try LambdaEvent.decode(EventFixtures.bytes("dlq-destination-record.json"))
                == LambdaEvent.decode(EventFixtures.bytes("s3-put-jpeg.json")))
        // Wrapped in SQS (an on-failure destination queue feeding the function) too.
        let record = String(decoding: try EventFixtures.bytes("dlq-destination-record.json"), as: UTF8.self)
        let body = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        let sqs = #"{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":\#(body)}]}"#
        guard case .sqs(let messages) = try LambdaEvent.decode(Array(sqs.utf8)) else {
            Issue.record("not an SQS batch")
            return
        }
        #expect(messages.first?.content == .success(try LambdaEvent.decode(EventFixtures.bytes("s3-put-jpeg.json"))))
    }

    @Test func nonObjectRootAndEmptyKey() throws {
        #expect(throws: EventDecodingError.self) { try LambdaEvent.decode(Array("[1,2]".utf8)) }
        #expect(throws: EventDecodingError.self) { try LambdaEvent.decode(Array("".utf8)) }
        #expect(throws: EventDecodingError.self) { try S3KeyDecoding.decode("") }
        #expect(throws: EventDecodingError.self) { try S3KeyDecoding.decode("%C3") } // truncated UTF-8
        #expect(throws: EventDecodingError.self) { try S3KeyDecoding.decode("abc%4") }
    }
}
