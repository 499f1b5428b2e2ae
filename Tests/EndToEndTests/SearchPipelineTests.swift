import AWSCore
import DynamoDB
import Foundation
import S3
import TestSupport
import Testing

/// `../shared/testdata/faces` (people photos from face_recognition / deepface, see SOURCES.md there).
enum FaceTestData {
    static let directory = Binaries.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata/faces")
    static var available: Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent("obama/obama.jpg").path) }
    static func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }
}

/// The `search` function end to end: photos of three people processed into an album by the real
/// `process` bootstrap, then searched by the real `search` bootstrap through Function URL events, all
/// against moto_server with signature checking on.
@Suite(
    "search: selfie -> matching photos, errors, ZIP (moto, auth on)", .serialized,
    .enabled(if: MotoServer.available, "needs moto[server] (scripts/setup installs it)"),
    .enabled(if: Models.available, "needs the dlib models in models/ (scripts/fetch-models)"),
    .enabled(if: FaceTestData.available, "needs ../shared/testdata/faces"))
final class SearchPipelineTests {
    let moto: MotoServer
    let s3: S3Client
    let dynamo: DynamoDBClient
    let uploads = "uploads"
    let thumbs = "thumbs"
    let table = "imagicon"
    let album = "party/2026"
    let dir: URL

    /// The album: person -> test data files (a no-face photo too).
    static let people: [String: [String]] = [
        "obama": ["obama/obama.jpg", "obama/obama1.jpg", "obama/obama2.jpg"],
        "biden": ["biden/biden.jpg", "biden/biden2.jpg"],
        "jack": ["jack_dorsey/img16.jpg", "jack_dorsey/img17.jpg", "jack_dorsey/img61.jpg"],
        "nobody": ["none/dog.jpg"],
    ]

    init() async throws {
        moto = try MotoServer(auth: true)
        s3 = try moto.s3Client()
        dynamo = try moto.dynamoDBClient()
        try await s3.createBucket(uploads)
        try await s3.createBucket(thumbs)
        try await dynamo.createImagiconTable(table)
        dir = try Binaries.temporaryDirectory()
    }

    deinit { moto.stop() }

    func environment(handler: String) -> [String] {
        ([
            "_HANDLER=\(handler)", "IMAGICON_TABLE=\(table)", "IMAGICON_THUMBNAIL_BUCKET=\(thumbs)", "IMAGICON_SOURCE_BUCKET=\(uploads)",
            "IMAGICON_MODELS_DIR=\(Models.directory)", "IMAGICON_THUMBNAIL_SIZES=200x200,400x400",
        ]
            + moto.functionEnvironment)
            .flatMap { ["--env", $0] }
    }

    func invoke(_ events: [String], handler: String) throws -> [[String: Any]] {
        let result = try Binaries.runImagicon(
            ["invoke"] + events + ["--bootstrap", Binaries.bootstrap, "--timeout", "600"]
                + environment(handler: handler))
        let json = try result.json()
        let invocations = try #require(json["invocations"] as? [[String: Any]], "stderr: \(result.stderr.suffix(3000))")
        for record in invocations where record["status"] as? String != "success" {
            Issue.record("invocation failed: \(record) — stderr: \(result.stderr.suffix(3000))")
        }
        return invocations
    }

    /// The album key of a test data file.
    func key(_ relative: String) -> String { "\(album)/\(relative.replacingOccurrences(of: "/", with: "_"))" }

    /// Uploads every photo and processes it with the `process` function.
    func processAlbum(_ files: [String] = SearchPipelineTests.people.values.flatMap { $0 }) async throws {
        var events: [String] = []
        for (i, file) in files.sorted().enumerated() {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: FaceTestData.path(file))))
            _ = try await s3.putObject(
                bucket: uploads, key: key(file), body: bytes,
                contentType: file.hasSuffix(".png") ? "image/png" : "image/jpeg")
            let json = """
                {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",
                "s3":{"bucket":{"name":"\(uploads)"},"object":{"key":"\(key(file))","size":\(bytes.count),"sequencer":"\(String(format: "%04X", i + 1))"}}}]}
                """
            events.append(try Binaries.eventFile(json, in: dir))
        }
        for record in try invoke(events, handler: "process") {
            let status = ((record["response"] as? [String: Any])?["objects"] as? [[String: Any]])?.first?["status"] as? String
            #expect(status == "processed", "\(record)")
        }
    }

    /// A Function URL event (payload 2.0) with a base64 body.
    func functionURLEvent(body: [UInt8], contentType: String, query: String = "") throws -> String {
        try Binaries.eventFile(
            FunctionURLEvent.make("/", query: query, method: "POST", headers: ["content-type": contentType], body: body), in: dir)
    }

    func jsonSearch(_ fields: [String: Any]) throws -> String {
        try functionURLEvent(body: Array(try JSONSerialization.data(withJSONObject: fields)), contentType: "application/json")
    }

    func selfie(_ relative: String) throws -> String {
        try Data(contentsOf: URL(fileURLWithPath: FaceTestData.path(relative))).base64EncodedString()
    }

    /// The HTTP status and decoded JSON body of a Function URL response.
    func answer(_ record: [String: Any]) throws -> (Int, [String: Any]) {
        let response = try #require(record["response"] as? [String: Any], "\(record)")
        let status = try #require(response["statusCode"] as? Int)
        let body = try #require(response["body"] as? String)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        return (status, json)
    }

    @Test func searchFindsEachPersonAndRefusesBadSelfies() async throws {
        try await processAlbum()
        let selfieKey = "selfies/jack.jpg"
        _ = try await s3.putObject(
            bucket: uploads, key: selfieKey,
            body: Array(try Data(contentsOf: URL(fileURLWithPath: FaceTestData.path("jack_dorsey/img62.jpg")))))
        let events = [
            try jsonSearch(["album": album, "images": [try selfie("obama/obama-480p.jpg")], "zip": true]), // 0: not in the album
            try jsonSearch(["album": album, "images": [try selfie("biden/biden2.jpg")]]), // 1: in the album
            try jsonSearch(["album": album, "keys": [selfieKey]]), // 2: uploaded selfie
            try functionURLEvent(
                body: Array(try Data(contentsOf: URL(fileURLWithPath: FaceTestData.path("none/eagle.jpg")))),
                contentType: "image/jpeg", query: "album=party%2F2026"), // 3: no face
            try jsonSearch(["album": album, "images": [try selfie("group/two_people.jpg")]]), // 4: two faces
            try jsonSearch(["album": album, "images": [Data("not an image".utf8).base64EncodedString()]]), // 5
            try jsonSearch(["album": "nobody/here", "images": [try selfie("biden/biden2.jpg")]]), // 6
            try jsonSearch(["album": "a\u{1}b", "images": [try selfie("biden/biden2.jpg")]]), // 7
        ]
        let records = try invoke(events, handler: "search")
        try #require(records.count == events.count)

        let expected: [(String, Int)] = [("obama", 0), ("biden", 1), ("jack", 2)]
        var obamaMatches: [[String: Any]] = []
        var obamaZip: [String: Any]?
        for (person, i) in expected {
            let (status, body) = try answer(records[i])
            #expect(status == 200, "\(person): \(body)")
            #expect(body["album"] as? String == album)
            let matches = try #require(body["matches"] as? [[String: Any]], "\(person): \(body)")
            let keys = Set(matches.compactMap { $0["key"] as? String })
            let want = Set(Self.people[person]!.map(key))
            #expect(keys == want, "\(person): got \(keys.sorted()), want \(want.sorted())")
            let distances = matches.compactMap { $0["distance"] as? Double }
            #expect(distances == distances.sorted() && distances.allSatisfy { $0 <= 0.6 })
            for match in matches {
                #expect((match["url"] as? String)?.contains("X-Amz-Signature=") == true)
                #expect((match["thumbnailUrl"] as? String)?.contains("/thumbnails/400x400/") == true)
                #expect(match["width"] as? Int ?? 0 > 0 && match["height"] as? Int ?? 0 > 0)
                #expect((match["box"] as? [String: Any])?["left"] != nil)
            }
            if person == "obama" {
                obamaMatches = matches
                obamaZip = body["zip"] as? [String: Any]
            } else {
                #expect(body["zip"] == nil)
            }
        }

        let errors: [(Int, Int, String)] = [
            (3, 422, "NoFace"), (4, 422, "MultipleFaces"), (5, 422, "NotAnImage"),
            (6, 404, "UnknownAlbum"), (7, 400, "BadRequest"),
        ]
        for (i, status, code) in errors {
            let (got, body) = try answer(records[i])
            #expect(got == status && body["code"] as? String == code, "\(code): \(got) \(body)")
            #expect((body["error"] as? String)?.isEmpty == false)
        }

        // moto cannot verify presigned URLs with auth on (S3MotoTests checks them with auth off and
        // against botocore's vectors); here the URLs must at least name the right bucket and key.
        for match in obamaMatches {
            let url = try #require(match["url"] as? String)
            let key = try #require(match["key"] as? String)
            #expect(url.contains("/\(uploads)/\(key)?"), "\(url)")
            #expect((match["thumbnailUrl"] as? String)?.contains("/\(thumbs)/thumbnails/400x400/\(key)/") == true)
        }

        // The ZIP holds exactly the matched originals, byte for byte.
        let zip = try #require(obamaZip, "no zip in the obama answer")
        let zipKey = try #require(zip["key"] as? String)
        #expect(zipKey.hasPrefix("sessions/") && zipKey.hasSuffix(".zip"))
        #expect((zip["url"] as? String)?.contains("/\(thumbs)/\(zipKey)?") == true)
        let archive = try await s3.getObject(bucket: thumbs, key: zipKey).body
        let zipURL = dir.appendingPathComponent("matches.zip")
        try Data(archive).write(to: zipURL)
        let listing = try Self.zipListing(zipURL.path)
        let matchedKeys = obamaMatches.compactMap { $0["key"] as? String }
        #expect(Set(listing.keys) == Set(matchedKeys.map { String($0.split(separator: "/").last!) }))
        for key in matchedKeys {
            let original = try await s3.getObject(bucket: uploads, key: key).body
            #expect(listing[String(key.split(separator: "/").last!)] == CRC.hex(original), "\(key)")
        }
    }

    @Test func cliSearchPrintsTheSameAnswer() async throws {
        try await processAlbum()
        let env = [
            "IMAGICON_TABLE": table, "IMAGICON_THUMBNAIL_BUCKET": thumbs, "IMAGICON_SOURCE_BUCKET": uploads,
            "IMAGICON_MODELS_DIR": Models.directory, "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ACCESS_KEY_ID": moto.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey, "AWS_REGION": moto.region, "AWS_SESSION_TOKEN": "", "_HANDLER": "",
        ]
        let found = try Binaries.runImagicon(["search", "--album", album, FaceTestData.path("jack_dorsey/img62.jpg")], environment: env)
        #expect(found.status == 0, "\(found.stderr)")
        let matches = try #require(try found.json()["matches"] as? [[String: Any]], "\(found.stderr)")
        #expect(Set(matches.compactMap { $0["key"] as? String }) == Set(Self.people["jack"]!.map(key)))

        let refused = try Binaries.runImagicon(["search", "--album", album, FaceTestData.path("none/eagle.jpg")], environment: env)
        #expect(refused.status == 1)
        #expect(try refused.json()["code"] as? String == "NoFace")
        #expect(refused.stderr.contains("NoFace"))
    }

    /// File name -> CRC-32 (hex) of each entry, as Python's zipfile reads the archive (it checks the CRCs).
    static func zipListing(_ path: String) throws -> [String: String] {
        let script = """
            import sys, zipfile, json, zlib
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            print(json.dumps({i.filename: "%08x" % zlib.crc32(z.read(i)) for i in z.infolist()}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 zipfile rejected the archive")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
    }
}

/// zlib's CRC-32 of the originals, via Python (independent of the package's own CRC32).
enum CRC {
    static func hex(_ bytes: [UInt8]) -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("crc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        guard (try? Data(bytes).write(to: url)) != nil else { return "" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sys, zlib; print('%08x' % zlib.crc32(open(sys.argv[1], 'rb').read()))", url.path]
        let out = Pipe()
        process.standardOutput = out
        guard (try? process.run()) != nil else { return "" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
