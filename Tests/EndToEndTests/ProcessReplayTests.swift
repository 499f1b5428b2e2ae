import AWSCore
import DynamoDB
import Foundation
import S3
import TestSupport
import Testing

/// The `process` function fed what arrives in production: every `events/` fixture, with the objects
/// it names in the local S3, and every bad input #20 lists. One `imagicon invoke` (one bootstrap)
/// serves each batch; each event must give its record and a successful invocation (no retry into
/// the DLQ), except malformed events, which are decoding errors.
@Suite(
    "process: events/ fixtures and hostile uploads through the real bootstrap (moto)", .serialized,
    .enabled(if: MotoServer.available, "needs moto[server] (scripts/setup installs it)"),
    .enabled(if: Models.available, "needs the dlib models in models/ (scripts/fetch-models)"))
struct ProcessReplayTests {
    static let events = Binaries.repositoryRoot.appendingPathComponent("events")
    /// The bucket the fixtures name.
    static let bucket = "imagicon-uploads"
    static let photo = ProcessPipelineTests.sample.appendingPathComponent("obama1.jpg").path

    /// Runs `events` (paths) through one bootstrap; returns each invocation's record.
    static func run(_ events: [String], on pipeline: ProcessPipelineTests) throws -> [[String: Any]] {
        let result = try Binaries.runImagicon(
            ["invoke"] + events + ["--bootstrap", Binaries.bootstrap, "--timeout", "300"] + pipeline.environment)
        let invocations = try #require(try result.json()["invocations"] as? [[String: Any]], "\(result.stderr.suffix(3000))")
        #expect(invocations.count == events.count)
        return invocations
    }

    /// The status of each object an invocation reports (`processed`, `skipped`, `deleted`, `failed`).
    static func statuses(_ invocation: [String: Any]) -> [String] {
        ((invocation["response"] as? [String: Any])?["objects"] as? [[String: Any]] ?? []).map { $0["status"] as? String ?? "" }
    }

    static func fixture(_ name: String) -> String { events.appendingPathComponent(name).path }

    func put(_ bytes: [UInt8], _ key: String, in pipeline: ProcessPipelineTests, bucket: String? = nil) async throws {
        _ = try await pipeline.s3.putObject(bucket: bucket ?? pipeline.uploads, key: key, body: bytes)
    }

    func record(_ key: String, in pipeline: ProcessPipelineTests) async throws -> DynamoDBItem? {
        try await pipeline.imageItem(key)
    }

    @Test("every events/ fixture replays through process: its records, and only malformed events fail")
    func fixtures() async throws {
        let pipeline = try await ProcessPipelineTests()
        try await pipeline.s3.createBucket(Self.bucket)
        let jpeg = Array(try Data(contentsOf: URL(fileURLWithPath: Self.photo)))
        for n in 1...6 { try await put(jpeg, "weddings/2026/IMG_000\(n).jpg", in: pipeline, bucket: Self.bucket) }
        try await put(try HostileUploads.pngWithHugeXMP(), "scans/page-01.png", in: pipeline, bucket: Self.bucket)
        try await put(jpeg, "albums/old/scan.webp", in: pipeline, bucket: Self.bucket) // the format comes from the bytes
        let plan: [(String, [String])] = [
            ("dlq-destination-record.json", ["processed"]), // the DLQ record replayed: IMG_0001
            ("s3-put-jpeg.json", ["skipped"]), // the same event again: repeated
            ("s3-multipart-png.json", ["processed"]),
            ("s3-put-lenient.json", ["processed"]),
            ("s3-put-two-records.json", ["processed", "processed"]),
            ("sqs-s3-put.json", []), ("sqs-with-bad-message.json", []),
            ("eventbridge-object-created.json", ["processed"]),
            ("eventbridge-object-tags-added.json", ["skipped"]),
            ("s3-reduced-redundancy-lost.json", ["skipped"]),
            ("s3-test-event.json", []),
            ("eventbridge-object-deleted.json", ["deleted"]),
            ("s3-removed-delete.json", ["deleted"]),
        ]
        let malformed = try FileManager.default.contentsOfDirectory(atPath: Self.events.appendingPathComponent("malformed").path)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(malformed.count >= 5)
        let invocations = try Self.run(plan.map { Self.fixture($0.0) } + malformed.map { Self.fixture("malformed/\($0)") }, on: pipeline)
        for ((name, expected), invocation) in zip(plan, invocations) {
            #expect(invocation["status"] as? String == "success", "\(name): \(invocation)")
            #expect(Self.statuses(invocation) == expected, "\(name): \(invocation)")
        }
        // SQS: only the undecodable message goes back to the queue.
        let sqs = invocations[5...6].map { ($0["response"] as? [String: Any])?["batchItemFailures"] as? [[String: Any]] }
        #expect(sqs[0]?.isEmpty == true && sqs[1]?.count == 1)
        #expect((invocations[10]["response"] as? [String: Any])?["status"] as? String == "ignored")
        for (name, invocation) in zip(malformed, invocations.dropFirst(plan.count)) {
            #expect(invocation["status"] as? String == "error", "\(name)")
            #expect((invocation["error"] as? [String: Any])?["errorType"] as? String == "EventDecodingError", "\(name): \(invocation)")
        }
        // The records: created ones processed, deleted ones gone.
        for key in ["weddings/2026/IMG_0002.jpg", "weddings/2026/IMG_0003.jpg", "weddings/2026/IMG_0004.jpg", "weddings/2026/IMG_0005.jpg"]
        {
            #expect(try await record(key, in: pipeline)?["status"]?.stringValue == "processed", "\(key)")
        }
        #expect(try await record("scans/page-01.png", in: pipeline)?["format"]?.stringValue == "png")
        #expect(try await record("albums/old/scan.webp", in: pipeline)?["status"]?.stringValue == "processed")
        #expect(try await record("weddings/2026/IMG_0001.jpg", in: pipeline) == nil, "deleted after the DLQ replay")
        #expect(try await record("weddings/2026/IMG_0006.jpg", in: pipeline) == nil, "deleted through EventBridge")
        #expect(try await record("x.jpg", in: pipeline) == nil)
    }

    @Test("fixtures whose keys moto's signature check cannot take (spaces, UTF-8, + and %), and control-character keys (moto auth off)")
    func awkwardKeys() async throws {
        let pipeline = try await ProcessPipelineTests(auth: false)
        try await pipeline.s3.createBucket(Self.bucket)
        let jpeg = Array(try Data(contentsOf: URL(fileURLWithPath: Self.photo)))
        let keys = ["café/写真 été.jpg", "summer trip/beach day 1 + friends.jpg", "weddings/2026/c++ notes 100% done.jpg"]
        for key in keys { try await put(jpeg, key, in: pipeline, bucket: Self.bucket) }
        let control = "ctrl/a\u{1}b\u{7F}\r.jpg"
        try await put(jpeg, control, in: pipeline)
        let invocations = try Self.run(
            ["s3-put-key-utf8.json", "s3-put-key-with-spaces.json", "eventbridge-key-verbatim.json"].map(Self.fixture)
                + [try pipeline.s3Event("ObjectCreated:Put", key: control, size: jpeg.count, sequencer: "0A")], on: pipeline)
        #expect(invocations.map { $0["status"] as? String } == Array(repeating: "success", count: 4))
        #expect(invocations.map(Self.statuses) == Array(repeating: ["processed"], count: 4))
        for key in keys + [control] { #expect(try await record(key, in: pipeline)?["status"]?.stringValue == "processed", "\(key)") }
        let thumbnails = try await pipeline.thumbnailKeys(control)
        #expect(thumbnails == ["thumbnails/200x200/\(control)/0A.jpg", "thumbnails/64x64c/\(control)/0A.jpg"])
        for thumbnail in thumbnails { _ = try await pipeline.s3.headObject(bucket: pipeline.thumbs, key: thumbnail) }

        // Its delete removes the thumbnails, whose keys DeleteObjects' XML cannot carry, one by one.
        let deleted = try Self.run([try pipeline.s3Event("ObjectRemoved:Delete", key: control, size: 0, sequencer: "0B")], on: pipeline)
        #expect(deleted.map(Self.statuses) == [["deleted"]])
        #expect(try await record(control, in: pipeline) == nil)
        for thumbnail in thumbnails {
            await #expect(throws: AWSError.self) { try await pipeline.s3.headObject(bucket: pipeline.thumbs, key: thumbnail) }
        }
    }

    @Test("each bad input of #20 gives its record (failed, or processed with the value dropped, or skipped) and a successful invocation")
    func badInputs() async throws {
        let pipeline = try await ProcessPipelineTests()
        let long = "long/" + String(repeating: "k", count: 1000) + ".jpg" // 1,009 bytes: IMAGE#<key> would pass 1,024
        let uploads: [(String, [UInt8])] = [
            ("bad/fnumber.jpg", try HostileUploads.jpeg(fNumber: 1e200, iso: nil)),
            ("bad/iso.jpg", try HostileUploads.jpeg(fNumber: nil, iso: 65535)),
            ("bad/plausible.jpg", try HostileUploads.jpeg(fNumber: 2.8, iso: 200)),
            ("bad/xmp.png", try HostileUploads.pngWithHugeXMP()),
            ("bad/scans.jpg", try HostileUploads.scanBomb()),
            ("bad/png16.png", HostileUploads.sixteenBitBomb()),
            (long, try HostileUploads.jpeg()),
        ]
        var events: [String] = []
        for (n, (key, bytes)) in uploads.enumerated() {
            try await put(bytes, key, in: pipeline)
            events.append(try pipeline.s3Event("ObjectCreated:Put", key: key, size: bytes.count, sequencer: String(format: "%02X", n + 1)))
        }
        events += [
            try pipeline.s3Event("ObjectCreated:Put", key: "sessions/\u{301}x/selfie.jpg", size: 10, sequencer: "20"),
            try pipeline.s3Event("ObjectRestore:Completed", key: "bad/fnumber.jpg", size: 10, sequencer: "21"),
            try pipeline.s3Event("LifecycleTransition", key: "bad/iso.jpg", size: 10, sequencer: "22"),
        ]
        let invocations = try Self.run(events, on: pipeline)
        #expect(invocations.map { $0["status"] as? String } == Array(repeating: "success", count: events.count))
        #expect(
            invocations.map(Self.statuses)
                == [
                    ["processed"], ["processed"], ["processed"], ["processed"], ["failed"], ["failed"], ["processed"], ["skipped"],
                    ["skipped"], ["skipped"],
                ])

        func exif(_ key: String) async throws -> [String: AttributeValue] {
            try #require(try await record(key, in: pipeline)?["exif"]?.mapValue, "\(key)")
        }
        #expect(try await exif("bad/fnumber.jpg")["fNumber"] == nil, "1e200 is outside DynamoDB's range: dropped")
        #expect(try await exif("bad/iso.jpg")["iso"] == nil, "65535 is a MakerNote's unknown")
        let plausible = try await exif("bad/plausible.jpg")
        #expect(plausible["iso"]?.numberString == "200", "the builder writes values ExifKit reads: \(plausible)")
        let xmp = try await exif("bad/xmp.png")
        #expect(xmp["make"]?.stringValue.map { $0.utf8.count <= 1024 && $0.hasPrefix("MakeMake") } == true)
        #expect(xmp["model"] == nil, "past the XMP bytes read")
        let scans = try #require(try await record("bad/scans.jpg", in: pipeline))
        #expect(scans["status"]?.stringValue == "failed" && scans["error"]?.stringValue?.contains("scans") == true, "\(scans)")
        let png16 = try #require(try await record("bad/png16.png", in: pipeline))
        #expect(png16["status"]?.stringValue == "failed" && png16["error"]?.stringValue?.contains("16-bit") == true, "\(png16)")

        // The long key: hashed in the sort key, kept whole as an attribute, thumbnails under S3's key limit.
        let items = try await pipeline.dynamo.queryAll(
            DynamoDBQuery(
                table: pipeline.table, keyCondition: "PK = :pk AND begins_with(SK, :p)",
                attributes: .init(values: [":pk": .s("ALBUM#long"), ":p": .s("IMAGE#")]), consistentRead: true))
        let item = try #require(items.first { $0["key"]?.stringValue == long })
        #expect(item["status"]?.stringValue == "processed" && item["SK"]?.stringValue?.hasPrefix("IMAGE#~") == true)
        let thumbnails = item["thumbnails"]?.listValue?.compactMap { $0.mapValue?["key"]?.stringValue } ?? []
        #expect(thumbnails.count == 2)
        for thumbnail in thumbnails {
            #expect(thumbnail.utf8.count <= 1024)
            _ = try await pipeline.s3.headObject(bucket: pipeline.thumbs, key: thumbnail)
        }
        // Nothing was recorded for the session key.
        #expect(try await record("sessions/\u{301}x/selfie.jpg", in: pipeline) == nil)
    }
}
