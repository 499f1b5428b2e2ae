import AWSCore
import DynamoDB
import Foundation
import ImageKit
import S3
import TestSupport
import Testing

@testable import Imagicon

/// Models, photos and the album's records for the search handler tests.
enum SearchFixtures {
    static let modelsDirectory: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates: [String?] = [
            ProcessInfo.processInfo.environment["IMAGICON_MODELS_DIR"], root.appendingPathComponent("models").path,
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0 + "/mmod_human_face_detector.dat") }
    }()

    /// `../shared/testdata/faces`.
    static let photos: URL? = {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/testdata/faces")
        return FileManager.default.fileExists(atPath: dir.appendingPathComponent("obama/obama.jpg").path) ? dir : nil
    }()

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: photos!.appendingPathComponent(relative)))
    }

    /// The album's image and face items, as `process` writes them, made once.
    static let albumItems: [DynamoDBItem] = {
        guard let dir = modelsDirectory, photos != nil, let models = try? FaceModels(directory: dir) else { return [] }
        let analyzer = ImageAnalyzer(sizes: [ThumbnailSize("200x200")!], maxPixels: 50_000_000, models: models)
        var items: [DynamoDBItem] = []
        for file in ["obama/obama.jpg", "obama/obama1.jpg", "biden/biden.jpg"] {
            guard let bytes = try? bytes(file), let analysis = try? analyzer.analyze(bytes) else { continue }
            let object = ObjectIdentity(
                bucket: "uploads", key: "party/" + file.replacingOccurrences(of: "/", with: "_"), size: Int64(bytes.count))
            items.append(ImageRecord.processed(object, analysis: analysis).item)
            items += FaceRecord.records(object, analysis: analysis).map(\.item)
        }
        return items
    }()
}

/// The `search` handler in process: Function URL events in, HTTP answers out; the album's records are
/// made by the real analyzer from real photos and served by a scripted DynamoDB, S3 is in memory.
@Suite(
    "search handler in process (no moto)", .serialized,
    .enabled(if: SearchFixtures.modelsDirectory != nil, "needs the dlib models (scripts/fetch-models)"),
    .enabled(if: SearchFixtures.photos != nil, "needs ../shared/testdata/faces"))
struct SearchHandlerTests {
    /// A DynamoDB that answers every Query with the album's items (one page), and GetItem with no
    /// item (the album has no packed face index: search reads the items).
    static func dynamo(items: [DynamoDBItem]) throws -> (DynamoDBClient, ScriptedTransport) {
        let page = try JSONEncoder().encode(QueryPage(Items: items, Count: items.count))
        let transport = ScriptedTransport(responder: { request in
            if request.headers["X-Amz-Target"] == "DynamoDB_20120810.GetItem" { return HTTPResponse(status: 200, body: Array("{}".utf8)) }
            guard request.headers["X-Amz-Target"] == "DynamoDB_20120810.Query" else { return .text(400, #"{"__type":"UnknownOperation"}"#) }
            return HTTPResponse(status: 200, body: Array(page))
        })
        return (DynamoDBClient(engine: transport.engine(service: "dynamodb")), transport)
    }

    struct QueryPage: Encodable {
        var Items: [DynamoDBItem]
        var Count: Int
    }

    func handler(items: [DynamoDBItem]) throws -> SearchHandler {
        let models = try FaceModels(directory: SearchFixtures.modelsDirectory!)
        var s3Engine = InMemoryS3(buckets: ["uploads", "thumbs"]).transport().engine(service: "s3", rules: .s3)
        s3Engine.endpoint = try AWSEndpoint(url: "http://127.0.0.1:1")
        let service = SearchService(
            table: "imagicon", s3: S3Client(engine: s3Engine), dynamo: try Self.dynamo(items: items).0,
            encoder: SelfieEncoder(models: models, maxPixels: 50_000_000), sourceBucket: "uploads", thumbnailBucket: "thumbs")
        return SearchHandler(service: service, defaultThreshold: 0.6)
    }

    func search(_ handler: SearchHandler, body: [UInt8], query: String, contentType: String = "image/jpeg") async throws
        -> FunctionURLEvent.Response
    {
        try FunctionURLEvent.Response(
            await handler.handle(
                FunctionURLEvent.make("/", query: query, method: "POST", headers: ["content-type": contentType], body: body),
                context: .test()))
    }

    @Test("a selfie finds exactly that person's photos, best first, with presigned links")
    func findsThePerson() async throws {
        #expect(SearchFixtures.albumItems.count >= 5, "three image items and their faces")
        let handler = try handler(items: SearchFixtures.albumItems)
        let response = try await search(handler, body: try SearchFixtures.bytes("obama/obama2.jpg"), query: "album=party")
        #expect(response.status == 200)
        let matches = try #require(response.json?["matches"] as? [[String: Any]])
        #expect(Set(matches.compactMap { $0["key"] as? String }) == ["party/obama_obama.jpg", "party/obama_obama1.jpg"])
        let distances = matches.compactMap { $0["distance"] as? Double }
        #expect(distances == distances.sorted() && distances.allSatisfy { $0 < 0.6 })
        for match in matches {
            let url = try #require(match["url"] as? String)
            #expect(url.contains("X-Amz-Signature=") && url.contains("/uploads/party/"))
        }
    }

    @Test("refusals: not an image 422, no face 422, bad requests 400; nothing of ours leaks")
    func refusals() async throws {
        let handler = try handler(items: SearchFixtures.albumItems)
        var pixels: [UInt8] = []
        for y in 0..<120 { for x in 0..<160 { pixels += [UInt8(x), UInt8(y * 2), 90] } }
        let blank = try ImageEncoder.encode(
            try PixelBuffer(width: 160, height: 120, channels: 3, pixels: pixels), options: EncodeOptions(format: .jpeg, quality: 90))
        let cases: [([UInt8], String, String, Int, String)] = [
            (Array("not an image".utf8), "album=party", "image/jpeg", 422, "NotAnImage"),
            (blank, "album=party", "image/jpeg", 422, "NoFace"),
            (try SearchFixtures.bytes("obama/obama2.jpg"), "", "image/jpeg", 400, "BadRequest"),
            (Array(#"{"album": 7}"#.utf8), "", "application/json", 400, "BadRequest"),
            (Array(#"{"album": "party", "images": ["%%%"]}"#.utf8), "", "application/json", 400, "BadRequest"),
            (Array(#"{"album": "party", "keys": ["a.jpg"], "threshold": 9}"#.utf8), "", "application/json", 400, "BadRequest"),
        ]
        for (body, query, type, status, code) in cases {
            let response = try await search(handler, body: body, query: query, contentType: type)
            #expect(response.status == status, "\(code) \(query)")
            #expect(response.json?["code"] as? String == code, "\(String(decoding: response.body, as: UTF8.self))")
        }
    }

    @Test("a selfie over 40 MP is refused from its header (413), whatever the photo limit")
    func selfieSizeBound() async throws {
        let handler = try handler(items: SearchFixtures.albumItems)
        #expect(handler.service.encoder.maxPixels == SelfieEncoder.maxSelfiePixels)
        // A PNG header declaring 7000x6000 (42 MP, under the 50 MP photo limit) and no pixel data.
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        let png =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be(13) + Array("IHDR".utf8) + be(7000) + be(6000) + [8, 2, 0, 0, 0]
            + be(0) + be(0) + Array("IEND".utf8) + be(0xAE42_6082)
        let response = try await search(handler, body: png, query: "album=party", contentType: "image/png")
        #expect(response.status == 413)
        #expect(response.json?["code"] as? String == "TooLarge")
    }

    @Test("the table failing is a generic 500 whose details stay in the log")
    func tableFailure() async throws {
        let models = try FaceModels(directory: SearchFixtures.modelsDirectory!)
        let failing = ScriptedTransport(responder: { _ in .text(500, #"{"__type":"InternalServerError","message":"secret detail"}"#) })
        var s3Engine = InMemoryS3(buckets: ["uploads"]).transport().engine(service: "s3", rules: .s3)
        s3Engine.endpoint = try AWSEndpoint(url: "http://127.0.0.1:1")
        let service = SearchService(
            table: "imagicon", s3: S3Client(engine: s3Engine), dynamo: DynamoDBClient(engine: failing.engine(service: "dynamodb")),
            encoder: SelfieEncoder(models: models, maxPixels: 50_000_000), sourceBucket: "uploads", thumbnailBucket: nil)
        let response = try await search(
            SearchHandler(service: service, defaultThreshold: 0.6), body: try SearchFixtures.bytes("obama/obama2.jpg"), query: "album=party"
        )
        #expect(response.status == 500)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("secret detail"))
    }
}
