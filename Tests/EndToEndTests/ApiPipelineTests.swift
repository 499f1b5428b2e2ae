import AWSCore
import DynamoDB
import Foundation
import S3
import TestSupport
import Testing

/// The albums API end to end through the real `bootstrap` (`_HANDLER=api`, then `process`), with
/// moto checking the functions' signatures: the admin creates an album, the owner gets upload forms
/// and POSTs photos as a browser would, `process` runs on the S3 events, owner and `view` list them
/// with working thumbnail links, `findme` finds exactly the selfie person's photos and cannot list,
/// and the ZIP holds exactly the matches. The browser's presigned POSTs and GETs run with moto's
/// signature checks off (its auth mode answers 500 to presigned requests), on the same state.
@Suite(
    "api: albums, uploads, find me, ZIP (bootstrap, moto auth on)", .serialized,
    .enabled(if: MotoServer.available, "needs moto[server] (scripts/setup installs it)"),
    .enabled(if: Models.available, "needs the dlib models in models/ (scripts/fetch-models)"),
    .enabled(if: FaceTestData.available, "needs ../shared/testdata/faces"))
final class ApiPipelineTests {
    let moto: MotoServer
    let s3: S3Client
    let dynamo: DynamoDBClient
    let uploads = "uploads"
    let thumbs = "thumbs"
    let table = "imagicon"
    let adminToken = "e2e-admin-\(UUID().uuidString)"
    let dir: URL
    /// Every token handed out so far: none may appear in a function's log.
    var tokens: [String] = []

    static let people: [String: [String]] = [
        "obama": ["obama/obama.jpg", "obama/obama1.jpg", "obama/obama2.jpg"],
        "biden": ["biden/biden.jpg", "biden/biden2.jpg"],
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
            "IMAGICON_ADMIN_TOKEN_SHA256=\(Digests.sha256Hex(Array(adminToken.utf8)))",
        ]
            + moto.functionEnvironment)
            .flatMap { ["--env", $0] }
    }

    /// Runs events through one bootstrap; every invocation must succeed (HTTP errors are answers).
    func invoke(_ events: [String], handler: String) throws -> (records: [[String: Any]], stderr: String) {
        let result = try Binaries.runImagicon(
            ["invoke"] + events + ["--bootstrap", Binaries.bootstrap, "--timeout", "600"] + environment(handler: handler))
        let invocations = try #require(try result.json()["invocations"] as? [[String: Any]], "stderr: \(result.stderr.suffix(3000))")
        for record in invocations where record["status"] as? String != "success" {
            Issue.record("invocation failed: \(record) — stderr: \(result.stderr.suffix(3000))")
        }
        return (invocations, result.stderr)
    }

    /// An API request event.
    func request(_ method: String, _ path: String, token: String?, json: Any? = nil, body: [UInt8]? = nil, contentType: String? = nil)
        throws -> String
    {
        var headers = ["host": "app.example.test"]
        if let token { headers["authorization"] = "Bearer \(token)" }
        var bytes = body ?? []
        if let json {
            bytes = Array(try JSONSerialization.data(withJSONObject: json))
            headers["content-type"] = "application/json"
        }
        if let contentType { headers["content-type"] = contentType }
        let parts = path.split(separator: "?", maxSplits: 1)
        return try Binaries.eventFile(
            FunctionURLEvent.make(
                String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "", method: method, headers: headers,
                body: bytes.isEmpty ? nil : bytes),
            in: dir)
    }

    /// Status and JSON body of an API answer.
    func answer(_ record: [String: Any]) throws -> (Int, [String: Any]) {
        let response = try #require(record["response"] as? [String: Any], "\(record)")
        let status = try #require(response["statusCode"] as? Int)
        let text = response["body"] as? String ?? ""
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        return (status, json)
    }

    func api(_ events: [String]) throws -> [(Int, [String: Any])] {
        let (records, stderr) = try invoke(events, handler: "api")
        try #require(records.count == events.count)
        for token in tokens + [adminToken] {
            #expect(!stderr.contains(token), "a token is in the log")
        }
        return try records.map(answer)
    }

    func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: FaceTestData.path(relative))))
    }

    @Test func adminOwnerGuestsEndToEnd() async throws {
        // The admin creates the album.
        let created = try api([try request("POST", "/api/albums", token: adminToken, json: ["name": "Party 2026"])])[0]
        #expect(created.0 == 201, "\(created.1)")
        let album = try #require(created.1["album"] as? [String: Any])
        let id = try #require(album["id"] as? String)
        let owner = try #require(created.1["ownerToken"] as? String)
        tokens.append(owner)

        // The owner asks for upload forms and shares.
        let files = Self.people.values.flatMap { $0 }.sorted()
        let formRequest = files.map { ["name": $0, "size": try! bytes($0).count, "contentType": "image/jpeg"] as [String: Any] }
        let setup = try api([
            try request("POST", "/api/albums/\(id)/uploads", token: owner, json: ["files": formRequest]),
            try request("POST", "/api/albums/\(id)/shares", token: owner, json: ["scope": "view", "expiresInDays": 7]),
            try request("POST", "/api/albums/\(id)/shares", token: owner, json: ["scope": "findme", "expiresInDays": 7]),
        ])
        #expect(setup[0].0 == 200 && setup[1].0 == 201 && setup[2].0 == 201, "\(setup)")
        let forms = try #require(setup[0].1["uploads"] as? [[String: Any]])
        try #require(forms.count == files.count)
        let view = try #require(setup[1].1["token"] as? String)
        let findme = try #require(setup[2].1["token"] as? String)
        tokens += [view, findme]

        // The browser POSTs each file to its form; a form refuses a file over its declared size.
        var keyOf: [String: String] = [:]
        try moto.withoutSignatureChecks {
            for (file, form) in zip(files, forms) {
                let url = try #require(form["url"] as? String)
                let fields = try #require(form["fields"] as? [String: String])
                let key = try #require(fields["key"])
                #expect(key.hasPrefix("albums/\(id)/") && key == form["key"] as? String)
                let posted = try Browser.postForm(url, fields: fields, file: try bytes(file), contentType: "image/jpeg")
                #expect((200..<300).contains(posted.status), "\(file): \(posted.status) \(String(decoding: posted.body, as: UTF8.self))")
                keyOf[file] = key
            }
        }

        // S3's events drive `process`.
        var events: [String] = []
        for (i, file) in files.enumerated() {
            let key = keyOf[file]!
            let json = """
                {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Post",
                "s3":{"bucket":{"name":"\(uploads)"},"object":{"key":"\(key)","size":\(try bytes(file).count),"sequencer":"\(String(format: "%04X", i + 1))"}}}]}
                """
            events.append(try Binaries.eventFile(json, in: dir))
        }
        for record in try invoke(events, handler: "process").records {
            let status = ((record["response"] as? [String: Any])?["objects"] as? [[String: Any]])?.first?["status"] as? String
            #expect(status == "processed", "\(record)")
        }

        // Owner and view list the photos; findme may not; findme finds Obama; view zips a match.
        let selfie = try bytes("obama/obama-480p.jpg")
        let answers = try api([
            try request("GET", "/api/albums/\(id)/photos", token: owner), // 0
            try request("GET", "/api/albums/\(id)/photos?limit=2", token: view), // 1
            try request("GET", "/api/albums/\(id)/photos", token: findme), // 2
            try request("GET", "/api/albums/\(id)", token: findme), // 3
            try request("POST", "/api/albums/\(id)/find", token: findme, body: selfie, contentType: "image/jpeg"), // 4
            try request(
                "POST", "/api/albums/\(id)/find", token: findme, json: ["image": Data(selfie).base64EncodedString(), "zip": true]), // 5
            try request("GET", "/api/albums/\(id)", token: view), // 6
            try request("GET", "/api/albums/\(id)/photos/\(keyOf["obama/obama1.jpg"]!.split(separator: "/").last!)", token: view), // 7
            try request("POST", "/api/albums/\(id)/zip", token: findme, json: ["photoIds": ["x.jpg"]]), // 8
            try request(
                "POST", "/api/albums/\(id)/find", token: view,
                body: (0..<6_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) },
                contentType: "image/jpeg"), // 9: 6 MB of noise
            // 10: two faces
            try request("POST", "/api/albums/\(id)/find", token: view, body: try bytes("group/two_people.jpg"), contentType: "image/jpeg"),
        ])
        let (listStatus, list) = answers[0]
        #expect(listStatus == 200, "\(list)")
        let photos = try #require(list["photos"] as? [[String: Any]])
        #expect(Set(photos.compactMap { $0["key"] as? String }) == Set(keyOf.values))
        #expect(list["cursor"] == nil || list["cursor"] is NSNull)
        #expect(answers[1].0 == 200 && (answers[1].1["photos"] as? [[String: Any]])?.count == 2 && answers[1].1["cursor"] is String)
        #expect(answers[2].0 == 403 && answers[2].1["code"] as? String == "Forbidden")
        #expect(answers[3].0 == 403)
        #expect(answers[6].0 == 200 && answers[6].1["photoCount"] as? Int == files.count && answers[6].1["role"] as? String == "view")
        #expect(answers[7].0 == 200 && (answers[7].1["faces"] as? [[String: Any]])?.count == 1, "\(answers[7].1)")
        #expect((answers[7].1["original"] as? String)?.contains("X-Amz-Signature=") == true)
        #expect(answers[8].0 == 403)
        #expect(answers[9].0 == 422 && answers[9].1["code"] as? String == "NotAnImage", "\(answers[9].1)")
        #expect(answers[10].0 == 422 && answers[10].1["code"] as? String == "MultipleFaces", "\(answers[10].1)")

        let obama = Set(Self.people["obama"]!.map { keyOf[$0]!.split(separator: "/").last.map(String.init)! })
        for i in [4, 5] {
            #expect(answers[i].0 == 200, "\(answers[i].1)")
            let matches = try #require(answers[i].1["matches"] as? [[String: Any]])
            #expect(Set(matches.compactMap { $0["photoId"] as? String }) == obama)
            let distances = matches.compactMap { $0["distance"] as? Double }
            #expect(distances == distances.sorted() && distances.allSatisfy { $0 <= 0.6 })
        }
        let zipURL = try #require((answers[5].1["zip"] as? [String: Any])?["url"] as? String, "\(answers[5].1)")

        // The browser fetches thumbnails and the ZIP through their presigned links.
        try moto.withoutSignatureChecks {
            for photo in photos {
                let thumbnails = try #require(photo["thumbnails"] as? [String: Any])
                for size in ["small", "large"] {
                    let url = try #require(thumbnails[size] as? String, "\(photo)")
                    let fetched = try Browser.get(url)
                    #expect(fetched.status == 200 && fetched.body.starts(with: [0xFF, 0xD8]), "\(size): \(fetched.status)")
                }
            }
            let fetched = try Browser.get(zipURL)
            #expect(fetched.status == 200)
            let path = dir.appendingPathComponent("find.zip")
            try fetched.body.write(to: path)
            let listing = try SearchPipelineTests.zipListing(path.path)
            #expect(Set(listing.keys) == obama)
            for file in Self.people["obama"]! {
                let name = String(keyOf[file]!.split(separator: "/").last!)
                #expect(listing[name] == CRC.hex(try bytes(file)), "\(name)")
            }
        }
    }

    @Test func cliCreatesAlbumsAndShares() async throws {
        let env = [
            "IMAGICON_TABLE": table, "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ACCESS_KEY_ID": moto.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey, "AWS_REGION": moto.region, "AWS_SESSION_TOKEN": "",
        ]
        let created = try Binaries.runImagicon(["album", "create", "Wedding", "--url", "https://photos.example.com/"], environment: env)
        #expect(created.status == 0, "\(created.stderr)")
        let json = try created.json()
        let album = try #require(json["album"] as? [String: Any])
        let id = try #require(album["id"] as? String)
        let owner = try #require(json["ownerToken"] as? String)
        #expect(album["name"] as? String == "Wedding" && owner.hasPrefix("\(id)."))
        #expect(json["link"] as? String == "https://photos.example.com/#album=\(id)&token=\(owner)")
        #expect(!created.stderr.contains(owner))

        let shared = try Binaries.runImagicon(["album", "share", id, "--scope", "findme", "--days", "2"], environment: env)
        #expect(shared.status == 0, "\(shared.stderr)")
        let share = try shared.json()
        #expect(share["scope"] as? String == "findme" && (share["token"] as? String)?.hasPrefix("\(id).") == true)
        #expect(share["link"] == nil)

        // The tokens work against the api function; a share of a missing album is refused.
        let answers = try api([
            try request("GET", "/api/albums/\(id)", token: owner),
            try request("GET", "/api/albums/\(id)/photos", token: share["token"] as? String),
        ])
        #expect(answers[0].0 == 200 && answers[0].1["role"] as? String == "owner")
        #expect(answers[1].0 == 403)
        let missing = try Binaries.runImagicon(["album", "share", "aaaaaaaaaaaaaaaaaaaaaaaaaa", "--scope", "view"], environment: env)
        #expect(missing.status != 0 && missing.stderr.contains("no album"))
    }
}
