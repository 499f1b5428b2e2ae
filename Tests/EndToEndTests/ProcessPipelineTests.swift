import AWSCore
import DynamoDB
import Foundation
import ImageKit
import S3
import TestSupport
import Testing

/// Where the dlib models are for the end-to-end tests.
enum Models {
    static let directory =
        ProcessInfo.processInfo.environment["IMAGICON_MODELS_DIR"]
        ?? Binaries.repositoryRoot.appendingPathComponent("models").path
    static var available: Bool {
        FileManager.default.fileExists(atPath: directory + "/dlib_face_recognition_resnet_model_v1.dat")
    }
}

/// The `process` function end to end: the real bootstrap, driven by `imagicon invoke`, against a real
/// moto_server with signature checking on.
@Suite(
    "process: S3 events -> thumbnails and records (moto, auth on)", .serialized,
    .enabled(if: MotoServer.available, "needs moto[server] (scripts/setup installs it)"),
    .enabled(if: Models.available, "needs the dlib models in models/ (scripts/fetch-models)"))
final class ProcessPipelineTests {
    static let modelsDirectory = Models.directory

    let moto: MotoServer
    let s3: S3Client
    let dynamo: DynamoDBClient
    let uploads = "uploads"
    let thumbs = "thumbs"
    let table = "imagicon"
    let dir: URL

    convenience init() async throws { try await self.init(auth: true) }

    /// A pipeline on its own moto_server; `auth: false` only for keys moto's signature check cannot
    /// take (spaces, non-ASCII, control characters: see S3Tests).
    init(auth: Bool) async throws {
        moto = try MotoServer(auth: auth)
        s3 = try moto.s3Client()
        dynamo = try moto.dynamoDBClient()
        try await s3.createBucket(uploads)
        try await s3.createBucket(thumbs)
        try await dynamo.createImagiconTable(table)
        dir = try Binaries.temporaryDirectory()
    }

    deinit { moto.stop() }

    var environment: [String] {
        ([
            "_HANDLER=process", "IMAGICON_TABLE=\(table)", "IMAGICON_THUMBNAIL_BUCKET=\(thumbs)",
            "IMAGICON_MODELS_DIR=\(Self.modelsDirectory)",
            "IMAGICON_THUMBNAIL_SIZES=200x200,64x64c",
        ]
            + moto.functionEnvironment)
            .flatMap { ["--env", $0] }
    }

    /// An S3 notification as S3 sends it (key form-encoded).
    func s3Event(_ name: String, key: String, size: Int, sequencer: String) throws -> String {
        let encoded = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_.")))!
        let json = """
            {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-11-23T10:15:30.123Z",
            "eventName":"\(name)","s3":{"s3SchemaVersion":"1.0","bucket":{"name":"\(uploads)"},
            "object":{"key":"\(encoded)","size":\(size),"sequencer":"\(sequencer)"}}}]}
            """
        return try Binaries.eventFile(json, in: dir)
    }

    func invoke(_ events: [String], extraEnvironment: [String] = []) throws -> [[String: Any]] {
        let result = try Binaries.runImagicon(
            ["invoke"] + events + ["--bootstrap", Binaries.bootstrap, "--timeout", "300"] + environment
                + extraEnvironment.flatMap { ["--env", $0] })
        let json = try result.json()
        let invocations = try #require(json["invocations"] as? [[String: Any]], "stderr: \(result.stderr.suffix(3000))")
        for record in invocations where record["status"] as? String != "success" {
            Issue.record("invocation failed: \(record) — stderr: \(result.stderr.suffix(3000))")
        }
        return invocations
    }

    func upload(_ path: String, as key: String) async throws -> Int {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        _ = try await s3.putObject(bucket: uploads, key: key, body: bytes, contentType: "image/jpeg")
        return bytes.count
    }

    func imageItem(_ key: String) async throws -> DynamoDBItem? {
        let album = key.contains("/") ? String(key[..<key.lastIndex(of: "/")!]) : ""
        return try await dynamo.getItem(table: table, key: ["PK": .s("ALBUM#\(album)"), "SK": .s("IMAGE#\(key)")], consistentRead: true)
    }

    func faceItems(_ key: String) async throws -> [DynamoDBItem] {
        let album = String(key[..<key.lastIndex(of: "/")!])
        return try await dynamo.queryAll(
            DynamoDBQuery(
                table: table, keyCondition: "PK = :pk AND begins_with(SK, :p)",
                attributes: .init(values: [":pk": .s("ALBUM#\(album)"), ":p": .s("FACE#\(key)#")]), consistentRead: true))
    }

    /// The thumbnail keys the image item of `key` lists, sorted. (moto with auth on refuses
    /// correctly signed listings with a `/` in the prefix, so the bucket is not listed.)
    func thumbnailKeys(_ key: String) async throws -> [String] {
        try await imageItem(key)?["thumbnails"]?.listValue?.compactMap { $0.mapValue?["key"]?.stringValue }.sorted() ?? []
    }

    static let sample = Binaries.repositoryRoot.appendingPathComponent("samples/album")

    @Test func uploadProcessReprocessAndDelete() async throws {
        // moto's own signature check rejects correctly signed requests for keys with spaces or
        // non-ASCII characters (see S3Tests); such keys are covered with auth off in S3Tests.
        let key = "family-trip/2026/two_people.jpg"
        let size = try await upload(Self.sample.appendingPathComponent("two_people.jpg").path, as: key)
        let created = try s3Event("ObjectCreated:Put", key: key, size: size, sequencer: "0062E99A88DC407460")
        let first = try invoke([created])
        let objects = try #require((first.first?["response"] as? [String: Any])?["objects"] as? [[String: Any]])
        #expect(objects.first?["status"] as? String == "processed")

        // Thumbnails in the thumbnail bucket, one per size under the key's folder, named by version.
        let firstThumbnails = ["thumbnails/200x200/\(key)/0062E99A88DC40746.jpg", "thumbnails/64x64c/\(key)/0062E99A88DC40746.jpg"]
        #expect(try await thumbnailKeys(key) == firstThumbnails)
        for thumbnail in firstThumbnails {
            #expect(try await s3.headObject(bucket: thumbs, key: thumbnail).contentType == "image/jpeg")
        }

        // The image item per the storage contract.
        let item = try #require(try await imageItem(key))
        #expect(item["status"]?.stringValue == "processed")
        #expect(item["album"]?.stringValue == "family-trip/2026")
        #expect(item["format"]?.stringValue == "jpeg")
        #expect(item["width"]?.numberString == "1126")
        #expect(item["height"]?.numberString == "661")
        #expect(item["size"]?.numberString == String(size))
        #expect(item["thumbnails"]?.listValue?.count == 2)
        #expect(item["exif"]?.mapValue?["width"]?.numberString == "1126")
        let faceCount = try #require(item["faceCount"]?.numberString.flatMap { Int($0) })
        #expect(faceCount == 2)
        let faces = try await faceItems(key)
        #expect(faces.count == faceCount)
        for face in faces {
            #expect(face["descriptor"]?.bytesValue?.count == 512)
            #expect(face["landmarks"]?.listValue?.count == 5)
            #expect(face["box"]?.mapValue?["left"] != nil)
        }
        // One 160x160 JPEG face thumbnail per face, its key on the face item.
        let firstFaceThumbnails = (0..<faceCount).map { "thumbnails/faces/\(key)/0062E99A88DC40746/\($0).jpg" }
        #expect(faces.compactMap { $0["thumbnail"]?.stringValue }.sorted() == firstFaceThumbnails)
        for thumbnail in firstFaceThumbnails {
            let head = try await s3.headObject(bucket: thumbs, key: thumbnail)
            #expect(head.contentType == "image/jpeg")
            let header = try ImageHeader.read(try await s3.getObject(bucket: thumbs, key: thumbnail).body, maxPixels: 1 << 20)
            #expect(header.width == 160 && header.height == 160)
        }

        // The same event again writes nothing new; an older one is ignored.
        let processedAt = item["processedAt"]?.stringValue
        let again = try invoke([created, try s3Event("ObjectCreated:Put", key: key, size: size, sequencer: "0062E99A88DC407400")])
        for record in again {
            let status = ((record["response"] as? [String: Any])?["objects"] as? [[String: Any]])?.first?["status"] as? String
            #expect(status == "skipped")
        }
        #expect(try await imageItem(key)?["processedAt"]?.stringValue == processedAt)

        // A newer upload of a photo with fewer faces replaces the record and removes stale face items.
        let newSize = try await upload(Self.sample.appendingPathComponent("obama1.jpg").path, as: key)
        _ = try invoke([try s3Event("ObjectCreated:Put", key: key, size: newSize, sequencer: "0062E99A88DC407470")])
        #expect(try await imageItem(key)?["faceCount"]?.numberString == "1")
        #expect(try await faceItems(key).count == 1)
        // New keys for the new version; the replaced upload's thumbnails are gone.
        let secondThumbnails = ["thumbnails/200x200/\(key)/0062E99A88DC40747.jpg", "thumbnails/64x64c/\(key)/0062E99A88DC40747.jpg"]
        #expect(try await thumbnailKeys(key) == secondThumbnails)
        for thumbnail in secondThumbnails { _ = try await s3.headObject(bucket: thumbs, key: thumbnail) }
        for thumbnail in firstThumbnails + firstFaceThumbnails {
            await #expect(throws: AWSError.self) { try await self.s3.headObject(bucket: self.thumbs, key: thumbnail) }
        }
        let secondFaceThumbnails = ["thumbnails/faces/\(key)/0062E99A88DC40747/0.jpg"]
        #expect(try await faceItems(key).compactMap { $0["thumbnail"]?.stringValue } == secondFaceThumbnails)
        _ = try await s3.headObject(bucket: thumbs, key: secondFaceThumbnails[0])

        // ObjectRemoved deletes thumbnails and records.
        _ = try invoke([try s3Event("ObjectRemoved:Delete", key: key, size: 0, sequencer: "0062E99A88DC407480")])
        #expect(try await imageItem(key) == nil)
        #expect(try await faceItems(key).isEmpty)
        for thumbnail in secondThumbnails + secondFaceThumbnails {
            await #expect(throws: AWSError.self) { try await self.s3.headObject(bucket: self.thumbs, key: thumbnail) }
        }
    }

    @Test func badImageIsAFailedRecordAndTheInvocationSucceeds() async throws {
        let key = "album/not-really.jpg"
        _ = try await s3.putObject(bucket: uploads, key: key, body: Array("this is text, not a JPEG".utf8))
        let invocations = try invoke([try s3Event("ObjectCreated:Put", key: key, size: 24, sequencer: "01")])
        #expect(invocations.first?["status"] as? String == "success")
        let item = try #require(try await imageItem(key))
        #expect(item["status"]?.stringValue == "failed")
        #expect(item["error"]?.stringValue?.isEmpty == false)
        #expect(item["faceCount"]?.numberString == "0")
    }

    @Test func sqsBatchReportsOnlyFailedMessages() async throws {
        let key = "sqs/obama2.jpg"
        let size = try await upload(Self.sample.appendingPathComponent("obama2.jpg").path, as: key)
        let inner = """
            {"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"\(uploads)"},"object":{"key":"\(key)","size":\(size),"sequencer":"0A"}}}]}
            """
        let quoted = String(decoding: try JSONSerialization.data(withJSONObject: [inner], options: []), as: UTF8.self).dropFirst()
            .dropLast()
        let event = """
            {"Records":[{"messageId":"good-1","body":\(quoted),"eventSource":"aws:sqs"},
                        {"messageId":"bad-2","body":"not json","eventSource":"aws:sqs"}]}
            """
        let invocations = try invoke([try Binaries.eventFile(event, in: dir)])
        let failures = try #require((invocations.first?["response"] as? [String: Any])?["batchItemFailures"] as? [[String: Any]])
        #expect(failures.map { $0["itemIdentifier"] as? String } == ["bad-2"])
        #expect(try await imageItem(key)?["status"]?.stringValue == "processed")
    }

    @Test func throttledDynamoDBIsRetried() async throws {
        let key = "throttle/obama1.jpg"
        let size = try await upload(Self.sample.appendingPathComponent("obama1.jpg").path, as: key)
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        proxy.arguments = [
            "python3", Binaries.repositoryRoot.appendingPathComponent("Tests/EndToEndTests/Fixtures/throttle_proxy.py").path,
            moto.endpoint, "3",
        ]
        let input = Pipe()
        let output = Pipe()
        proxy.standardInput = input
        proxy.standardOutput = output
        try proxy.run()
        defer { if proxy.isRunning { proxy.terminate() } }
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let port = try #require(
            String(decoding: line, as: UTF8.self).split(separator: "\n").first.flatMap { $0.split(separator: "=").last })
        let invocations = try invoke(
            [try s3Event("ObjectCreated:Put", key: key, size: size, sequencer: "0B")],
            extraEnvironment: ["AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:\(port)"])
        try input.fileHandleForWriting.close()
        let summary = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        proxy.waitUntilExit()
        #expect(summary.contains("THROTTLED=3"), "\(summary)")
        #expect(invocations.first?["status"] as? String == "success")
        #expect(try await imageItem(key)?["status"]?.stringValue == "processed")
    }

    @Test func thumbnailKeysAreNeverProcessed() throws {
        let invocations = try invoke([try s3Event("ObjectCreated:Put", key: "thumbnails/200x200/a/b.jpg", size: 10, sequencer: "01")])
        let objects = (invocations.first?["response"] as? [String: Any])?["objects"] as? [[String: Any]]
        #expect(objects?.first?["status"] as? String == "skipped")
    }
}

/// The process function over whole corpora of awkward files, in one invocation each.
@Suite(
    "process: corrupt files and PNG uploads (moto, auth on)", .serialized,
    .enabled(if: MotoServer.available, "needs moto[server] (scripts/setup installs it)"),
    .enabled(if: Models.available, "needs the dlib models in models/ (scripts/fetch-models)"),
    .enabled(if: FileManager.default.fileExists(atPath: Binaries.testData.path), "needs ../shared/testdata"))
final class ProcessCorpusTests {
    let pipeline: ProcessPipelineTests

    init() async throws { pipeline = try await ProcessPipelineTests() }

    /// Uploads files under `album/` and sends them all in one S3 event; returns the per-object outcomes.
    func processAll(_ files: [URL], album: String) async throws -> [String: String] {
        var records: [String] = []
        for (n, file) in files.enumerated() {
            let key = "\(album)/\(file.lastPathComponent)"
            let size = try await pipeline.upload(file.path, as: key)
            records.append(
                """
                {"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"\(pipeline.uploads)"},"object":{"key":"\(key)","size":\(size),"sequencer":"\(String(format: "%04X", n + 1))"}}}
                """)
        }
        let event = try Binaries.eventFile(#"{"Records":[\#(records.joined(separator: ","))]}"#, in: pipeline.dir)
        let invocations = try pipeline.invoke([event])
        let objects = (invocations.first?["response"] as? [String: Any])?["objects"] as? [[String: Any]] ?? []
        #expect(objects.count == files.count)
        return Dictionary(
            uniqueKeysWithValues: objects.compactMap { o in
                (o["key"] as? String).map { ($0, o["status"] as? String ?? "") }
            })
    }

    @Test func everyCorruptFileGivesAFailedRecordAndNoCrash() async throws {
        let dir = Binaries.testData.appendingPathComponent("corrupt")
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
        #expect(files.count >= 40)
        let statuses = try await processAll(files, album: "corrupt")
        // Files that are valid images despite their folder (ImageKit's tests list why) are processed.
        let decodable: Set<String> = [
            "multiple-0xff-before-eoi.jpg", "pillow_junk_jpeg_header.jpg",
            "pillow_sugarshack_bad_mpo_header.jpg", "made_bitflip_testorig.jpg",
            "pillow_png_decompression_dos.png",
        ]
        for file in files {
            let key = "corrupt/\(file.lastPathComponent)"
            let item = try await pipeline.imageItem(key)
            let expected = decodable.contains(file.lastPathComponent) ? "processed" : "failed"
            #expect(statuses[key] == expected, "\(key)")
            #expect(item?["status"]?.stringValue == expected, "\(key)")
            if expected == "failed" { #expect(item?["error"]?.stringValue?.isEmpty == false, "\(key)") }
        }
    }

    @Test func pngUploadsMakeRecordsAndPNGThumbnailsWhenTransparent() async throws {
        let faces = Binaries.testData.appendingPathComponent("faces/obama/32bit.png")
        let pngs = Binaries.testData.appendingPathComponent("png/pngsuite")
        let files = [faces] + ["basn2c08.png", "basn6a08.png", "basi3p08.png"].map { pngs.appendingPathComponent($0) }
        let statuses = try await processAll(files, album: "png")
        #expect(Set(statuses.values) == ["processed"])
        let photo = try #require(try await pipeline.imageItem("png/32bit.png"))
        #expect(photo["format"]?.stringValue == "png")
        #expect(photo["faceCount"]?.numberString == "1")
        // An RGBA image with real transparency gets PNG thumbnails; an opaque one JPEG.
        let alphaKey = try #require(try await pipeline.thumbnailKeys("png/basn6a08.png").first)
        #expect(alphaKey.hasSuffix(".png"))
        #expect(try await pipeline.s3.headObject(bucket: pipeline.thumbs, key: alphaKey).contentType == "image/png")
        let opaqueKey = try #require(try await pipeline.thumbnailKeys("png/basn2c08.png").first)
        #expect(opaqueKey.hasSuffix(".jpg"))
        #expect(try await pipeline.s3.headObject(bucket: pipeline.thumbs, key: opaqueKey).contentType == "image/jpeg")
    }
}
