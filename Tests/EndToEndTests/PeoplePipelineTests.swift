import AWSCore
import DynamoDB
import Foundation
import ImageKit
import S3
import TestSupport
import Testing

/// The people feature end to end, every function through the real `bootstrap` (`imagicon invoke`),
/// moto checking their signatures: photos of four people uploaded into an album, `process` on each
/// S3 event, `people` on the DynamoDB Streams batch the table's trigger would send (and on a forced
/// re-cluster), then the `api` function lists the people with their face thumbnails; an owner's
/// rename, hide and merge through the API survive a second upload, `process` and `people`.
@Suite(
    "people: uploads -> process -> people -> API (bootstrap, moto auth on)", .serialized,
    .enabled(if: MotoServer.available, "needs moto[server] (scripts/setup installs it)"),
    .enabled(if: Models.available, "needs the dlib models in models/ (scripts/fetch-models)"),
    .enabled(if: FaceTestData.available, "needs ../shared/testdata/faces"))
final class PeoplePipelineTests {
    let moto: MotoServer
    let s3: S3Client
    let dynamo: DynamoDBClient
    let uploads = "uploads"
    let thumbs = "thumbs"
    let table = "imagicon"
    let adminToken = "e2e-admin-\(UUID().uuidString)"
    let dir: URL
    /// S3 sequencers, increasing with each upload (they become the photos' versions).
    var sequence = 0

    /// Small photos (150x150, one face each) of four people, by label (the folder name); the first
    /// three of each are uploaded first, the rest later.
    static let photos: [String: [String]] = [
        "John_Salley": ["000179_02159509.jpg", "000183_02159543.jpg", "000186_02159346.jpg", "000189_02159361.jpg"],
        "John_Savage": ["000264_01099001.jpg", "000274_01099061.jpg", "000277_01099000.jpg", "000289_01099139.jpg"],
        "John_Schneider": ["000288_00925786.jpg", "000302_00925785.jpg", "000307_00925823.jpg"],
        "bbt_sheldon": ["sheldon1.png", "sheldon2.png", "sheldon3.png", "sheldon4.png"],
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
        [
            "_HANDLER=\(handler)", "IMAGICON_TABLE=\(table)", "IMAGICON_THUMBNAIL_BUCKET=\(thumbs)", "IMAGICON_SOURCE_BUCKET=\(uploads)",
            "IMAGICON_MODELS_DIR=\(Models.directory)", "IMAGICON_THUMBNAIL_SIZES=200x200",
            "IMAGICON_ADMIN_TOKEN_SHA256=\(Digests.sha256Hex(Array(adminToken.utf8)))",
        ] + moto.functionEnvironment
    }

    /// Runs events through one bootstrap (later `--env` values override earlier ones) and returns
    /// the invocation records and the run's summary.
    func run(_ events: [String], handler: String, environment extra: [String] = []) throws -> (
        records: [[String: Any]], summary: [String: Any]
    ) {
        let result = try Binaries.runImagicon(
            ["invoke"] + events + ["--bootstrap", Binaries.bootstrap, "--timeout", "300"]
                + (environment(handler: handler) + extra).flatMap { ["--env", $0] })
        let json = try result.json()
        let records = try #require(json["invocations"] as? [[String: Any]], "stderr: \(result.stderr.suffix(3000))")
        try #require(records.count == events.count, "stderr: \(result.stderr.suffix(3000))")
        return (records, try #require(json["summary"] as? [String: Any]))
    }

    /// Like ``run(_:handler:environment:)``, every invocation must succeed; their responses.
    func invoke(_ events: [String], handler: String) throws -> [[String: Any]] {
        try run(events, handler: handler).records.map { record in
            try #require(record["status"] as? String == "success", "\(record)")
            return try #require(record["response"] as? [String: Any], "\(record)")
        }
    }

    /// Function URL requests to the `api` function, in one bootstrap: status and JSON body of each.
    func api(_ requests: [(method: String, path: String, json: Any?)], token: String) throws -> [(status: Int, json: [String: Any])] {
        let events = try requests.map { request in
            var headers = ["host": "app.example.test", "authorization": "Bearer \(token)"]
            var body: [UInt8]?
            if let json = request.json {
                body = Array(try JSONSerialization.data(withJSONObject: json))
                headers["content-type"] = "application/json"
            }
            let parts = request.path.split(separator: "?", maxSplits: 1)
            return try Binaries.eventFile(
                FunctionURLEvent.make(
                    String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "", method: request.method, headers: headers, body: body),
                in: dir)
        }
        return try invoke(events, handler: "api").map { response in
            let text = response["body"] as? String ?? ""
            return (
                try #require(response["statusCode"] as? Int),
                (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            )
        }
    }

    func get(_ path: String, token: String) throws -> (status: Int, json: [String: Any]) {
        try api([("GET", path, nil)], token: token)[0]
    }

    /// Puts photos into the album as uploads would, and runs `process` on their S3 events.
    /// Returns the photo ids (the keys' last part) by label.
    func upload(_ files: [(label: String, file: String)], album: String) async throws -> [String: [String]] {
        var events: [String] = []
        var ids: [String: [String]] = [:]
        for (label, file) in files {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: FaceTestData.path("\(label)/\(file)"))))
            let id = "\(label)-\(file)"
            let key = "albums/\(album)/\(id)"
            try await s3.putObject(bucket: uploads, key: key, body: bytes, contentType: file.hasSuffix(".png") ? "image/png" : "image/jpeg")
            sequence += 1
            let json = """
                {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-12-07T10:15:30.123Z",
                "eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","bucket":{"name":"\(uploads)"},
                "object":{"key":"\(key)","size":\(bytes.count),"sequencer":"\(String(format: "0062E99A88DC4%05X", sequence))"}}}]}
                """
            events.append(try Binaries.eventFile(json, in: dir))
            ids[label, default: []].append(id)
        }
        for response in try invoke(events, handler: "process") {
            let object = try #require((response["objects"] as? [[String: Any]])?.first, "\(response)")
            #expect(object["status"] as? String == "processed" && object["faceCount"] as? Int == 1, "\(object)")
        }
        return ids
    }

    /// The DynamoDB Streams batch the table's trigger sends the `people` function: one INSERT
    /// record (`NEW_IMAGE`) per face item of `album` that the trigger's filter lets through (face
    /// items the people job has not stamped with `peopleVersion`).
    func streamEvent(album: String) async throws -> String {
        let pk = "ALBUM#albums/\(album)"
        let items = try await dynamo.queryAll(
            DynamoDBQuery(
                table: table, keyCondition: "PK = :pk AND begins_with(SK, :face)",
                attributes: .init(values: [":pk": .s(pk), ":face": .s("FACE#")])))
        let fresh = items.filter { $0["peopleVersion"] == nil }
        try #require(!fresh.isEmpty)
        var records: [[String: Any]] = []
        for (n, item) in fresh.enumerated() {
            let image = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(item))
            let keys = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(["PK": item["PK"]!, "SK": item["SK"]!]))
            records.append([
                "eventID": UUID().uuidString, "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "dynamodb": [
                    "ApproximateCreationDateTime": 1_796_000_000 + n, "Keys": keys, "NewImage": image,
                    "SequenceNumber": String(100_000_000_000_000_000 + n), "SizeBytes": 900, "StreamViewType": "NEW_IMAGE",
                ] as [String: Any],
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/\(table)/stream/2026-12-07T00:00:00.000",
            ])
        }
        return try Binaries.eventFile(Array(try JSONSerialization.data(withJSONObject: ["Records": records])), in: dir)
    }

    /// The `people` function's report on one album.
    func grouped(_ response: [String: Any]) throws -> [String: Any] {
        try #require((response["albums"] as? [[String: Any]])?.first, "\(response)")
    }

    /// Photo ids of a person, through the API.
    func photoIDs(album: String, person: String, token: String) throws -> Set<String> {
        let answer = try get("/api/albums/\(album)/people/\(person)/photos", token: token)
        #expect(answer.status == 200, "\(answer.json)")
        return Set((answer.json["photos"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    }

    @Test("an album's faces grouped into people; the API shows them with face thumbnails; edits survive more uploads")
    func groupEditUploadAgain() async throws {
        let created = try api([("POST", "/api/albums", ["name": "People e2e"])], token: adminToken)[0]
        #expect(created.status == 201, "\(created.json)")
        let album = try #require((created.json["album"] as? [String: Any])?["id"] as? String)
        let owner = try #require(created.json["ownerToken"] as? String)

        // Upload, process, then people on the stream batch and on a forced re-cluster.
        let first = Self.photos.sorted { $0.key < $1.key }.flatMap { label, files in files.prefix(3).map { (label, $0) } }
        var ids = try await upload(first, album: album)
        let batch = try grouped(try invoke([try await streamEvent(album: album)], handler: "people")[0])
        #expect(batch["faces"] as? Int == 12 && batch["people"] as? Int == 4 && batch["unassigned"] as? Int == 0, "\(batch)")
        let forced = try grouped(
            try invoke([try Binaries.eventFile(#"{"album":"albums/\#(album)","recluster":true}"#, in: dir)], handler: "people")[0])
        #expect(forced["reclustered"] as? Bool == true && forced["people"] as? Int == 4, "\(forced)")

        // The people list: one person per label, holding exactly that label's photos.
        let list = try get("/api/albums/\(album)/people", token: owner)
        #expect(list.status == 200, "\(list.json)")
        let people = try #require(list.json["people"] as? [[String: Any]])
        #expect(people.count == 4)
        var personOf: [String: String] = [:]
        for person in people {
            let id = try #require(person["id"] as? String)
            let photos = try photoIDs(album: album, person: id, token: owner)
            let label = try #require(ids.first { Set($0.value) == photos }?.key, "person \(id) holds \(photos)")
            personOf[label] = id
            #expect(person["faceCount"] as? Int == 3 && person["photoCount"] as? Int == 3 && person["hidden"] as? Bool == false)
            #expect(person.keys.contains("name") && person["name"] is NSNull)
            // The cover is one of the person's faces, with a 160x160 JPEG thumbnail in S3.
            let cover = try #require(person["cover"] as? [String: Any], "\(person)")
            #expect(photos.contains(cover["photoId"] as? String ?? "") && cover["faceIndex"] as? Int == 0)
            let url = try #require(cover["thumbnail"] as? String)
            let item = try #require(
                try await dynamo.getItem(table: table, key: ["PK": .s("ALBUM#albums/\(album)"), "SK": .s("PERSON#\(id)")]))
            let thumbnail = try #require(item["cover"]?.mapValue?["thumbnail"]?.stringValue)
            #expect(thumbnail.hasPrefix("thumbnails/faces/albums/\(album)/\(cover["photoId"] as? String ?? "-")/"))
            #expect(URLComponents(string: url)?.path.hasSuffix("/\(thumbs)/\(thumbnail)") == true, "\(url)")
            let head = try await s3.headObject(bucket: thumbs, key: thumbnail)
            #expect(head.contentType == "image/jpeg")
            let header = try ImageHeader.read(try await s3.getObject(bucket: thumbs, key: thumbnail).body, maxPixels: 1 << 20)
            #expect(header.format == .jpeg && header.width == 160 && header.height == 160)
            let fetched = try moto.withoutSignatureChecks { try Browser.get(url) }
            #expect(fetched.status == 200 && fetched.body.starts(with: [0xFF, 0xD8]))
        }
        try #require(personOf.count == 4)
        let (salley, savage, schneider, sheldon) = (
            personOf["John_Salley"]!, personOf["John_Savage"]!, personOf["John_Schneider"]!, personOf["bbt_sheldon"]!
        )

        // The owner renames Salley, hides Sheldon, and merges Savage into Schneider.
        let base = "/api/albums/\(album)/people"
        let edits = try api(
            [
                ("PATCH", "\(base)/\(salley)", ["name": "John Salley"]), ("PATCH", "\(base)/\(sheldon)", ["hidden": true]),
                ("POST", "\(base)/\(savage)/merge", ["into": schneider]),
            ], token: owner)
        #expect(edits.map(\.status) == [200, 200, 200], "\(edits.map(\.json))")
        #expect((edits[0].json["person"] as? [String: Any])?["name"] as? String == "John Salley")
        #expect((edits[1].json["person"] as? [String: Any])?["hidden"] as? Bool == true)
        let merged = try #require(edits[2].json["person"] as? [String: Any])
        #expect(merged["id"] as? String == schneider && merged["faceCount"] as? Int == 6 && merged["photoCount"] as? Int == 6)

        // More photos: one more of each of Salley, Savage and Sheldon; process, then people again.
        let second = ["John_Salley", "John_Savage", "bbt_sheldon"].map { ($0, Self.photos[$0]![3]) }
        let more = try await upload(second, album: album)
        for (label, added) in more { ids[label, default: []] += added }
        let again = try grouped(try invoke([try await streamEvent(album: album)], handler: "people")[0])
        #expect(again["faces"] as? Int == 15 && again["people"] as? Int == 3 && again["unassigned"] as? Int == 0, "\(again)")

        // The rename, the hide and the merge held, and each new face joined its person.
        func check(_ when: String) throws {
            let all = try get("\(base)?hidden=true", token: owner)
            let people = try #require(all.json["people"] as? [[String: Any]], "\(when): \(all.json)")
            let byID = Dictionary(uniqueKeysWithValues: people.compactMap { p in (p["id"] as? String).map { ($0, p) } })
            #expect(Set(byID.keys) == [salley, schneider, sheldon], "\(when): \(people)")
            #expect(byID[salley]?["name"] as? String == "John Salley" && byID[salley]?["faceCount"] as? Int == 4, "\(when)")
            #expect(byID[schneider]?["faceCount"] as? Int == 7 && byID[schneider]?["hidden"] as? Bool == false, "\(when)")
            #expect(byID[sheldon]?["hidden"] as? Bool == true && byID[sheldon]?["faceCount"] as? Int == 4, "\(when)")
            #expect(try photoIDs(album: album, person: salley, token: owner) == Set(ids["John_Salley"]!), "\(when)")
            #expect(
                try photoIDs(album: album, person: schneider, token: owner) == Set(ids["John_Savage"]! + ids["John_Schneider"]!), "\(when)")
            #expect(try photoIDs(album: album, person: sheldon, token: owner) == Set(ids["bbt_sheldon"]!), "\(when)")
            // The merged id still leads to the person it was merged into; the hidden one is not listed.
            let old = try get("\(base)/\(savage)", token: owner)
            #expect(old.status == 200 && (old.json["person"] as? [String: Any])?["id"] as? String == schneider, "\(when)")
            let visible = try get(base, token: owner).json["people"] as? [[String: Any]] ?? []
            #expect(Set(visible.compactMap { $0["id"] as? String }) == [salley, schneider], "\(when)")
        }
        try check("after the second upload")
        let last = try grouped(
            try invoke([try Binaries.eventFile(#"{"album":"albums/\#(album)","recluster":true}"#, in: dir)], handler: "people")[0])
        #expect(last["reclustered"] as? Bool == true && last["people"] as? Int == 3, "\(last)")
        try check("after a forced re-cluster")
    }

    @Test("people refusals: an album that is not there, malformed events, no table configured")
    func refusals() async throws {
        let missing = try Binaries.eventFile(#"{"album":"albums/nope"}"#, in: dir)
        let batchWithMissing = try Binaries.eventFile(
            #"{"Records":[{"eventSource":"aws:dynamodb","eventName":"INSERT","dynamodb":{"Keys":{"PK":{"S":"ALBUM#albums/gone"},"SK":{"S":"FACE#albums/gone/a.jpg#0"}}}}]}"#,
            in: dir)
        let malformed = try [
            #"{"album":3}"#, #"{"album":"albums/x","recluster":"yes"}"#, #"{"Records":[{"eventSource":"aws:sqs"}]}"#, "not json", "{}",
        ].map { try Binaries.eventFile($0, in: dir) }
        let (records, summary) = try run([missing, batchWithMissing] + malformed, handler: "people")
        #expect(records.map { $0["status"] as? String } == ["error", "success"] + malformed.map { _ in "error" })
        #expect(summary["childStarts"] as? Int == 1, "a refusal must not cost the process")

        let notFound = try #require(records[0]["error"] as? [String: Any])
        #expect(notFound["errorType"] as? String == "PeopleAlbumNotFound")
        #expect((notFound["errorMessage"] as? String)?.contains("'albums/nope' has no processed photos") == true, "\(notFound)")
        let skipped = try #require(((records[1]["response"] as? [String: Any])?["albums"] as? [[String: Any]])?.first)
        #expect(skipped["album"] as? String == "albums/gone" && (skipped["skipped"] as? String)?.contains("no processed photos") == true)
        for record in records.dropFirst(2) {
            let error = try #require(record["error"] as? [String: Any])
            #expect(error["errorType"] as? String == "EventDecodingError", "\(record)")
            #expect((error["errorMessage"] as? String)?.isEmpty == false)
        }
        // Nothing was stored for the albums that are not there.
        for album in ["nope", "gone"] {
            #expect(try await dynamo.getItem(table: table, key: ["PK": .s("ALBUM#albums/\(album)"), "SK": .s("PEOPLE")]) == nil)
        }

        // Without a table (or without any bucket for the states) the function refuses to start.
        for (unset, name) in [
            (["IMAGICON_TABLE="], "IMAGICON_TABLE"), (["IMAGICON_THUMBNAIL_BUCKET=", "IMAGICON_SOURCE_BUCKET="], "BUCKET"),
        ] {
            let (records, _) = try run([missing], handler: "people", environment: unset)
            #expect(records.first?["status"] as? String == "initError", "\(records)")
            let error = try #require(records.first?["error"] as? [String: Any])
            #expect(error["errorType"] as? String == "Runtime.InvalidConfiguration")
            #expect((error["errorMessage"] as? String)?.contains(name) == true, "\(error)")
        }
    }
}
