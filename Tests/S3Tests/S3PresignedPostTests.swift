import AWSCore
import Foundation
import S3
import TestSupport
import Testing

/// Browser form uploads: the fields, policy bytes and signature equal botocore's for the same
/// conditions (Fixtures/botocore/presigned_post.json, see presigned_post.py there), the conditions are
/// the ones botocore's own generate_presigned_post writes, and a form posted with curl stores the file
/// (moto with auth off: its auth mode answers 500 to unsigned requests).
@Suite("S3: presigned POST (browser uploads) matches botocore")
struct S3PresignedPostTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String
            var bucket: String
            var key: String
            var contentType: String
            var low: Int
            var high: Int
            var expires: Int
            var sessionToken: String?
            var endpoint: String?
            var fields: [String: String]
            var sdkURL: String
            var sdkConditions: [JSONCondition]
        }
        var date: String
        var accessKeyID: String
        var secretAccessKey: String
        var region: String
        var cases: [Case]
    }

    /// A policy condition, compared as canonical JSON text.
    struct JSONCondition: Decodable, Hashable {
        var text: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let object = try? container.decode([String: String].self) {
                text = object.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "&")
            } else {
                let array = try container.decode([JSONScalar].self)
                text = array.map(\.text).joined(separator: ",")
            }
        }
        init(text: String) { self.text = text }
    }

    struct JSONScalar: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let n = try? container.decode(Int.self) { text = String(n) } else { text = try container.decode(String.self) }
        }
    }

    static let fixture: Fixture? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/botocore/presigned_post.json")
        return (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(Fixture.self, from: $0) }
    }()

    static var caseNames: [String] { fixture?.cases.map(\.name) ?? [] }

    @Test("fixture loads")
    func fixtureLoads() throws {
        #expect(try #require(Self.fixture).cases.count == 4)
    }

    @Test("fields, policy and signature", arguments: caseNames)
    func form(_ name: String) throws {
        let fixture = try #require(Self.fixture)
        let vector = try #require(fixture.cases.first { $0.name == name })
        let date = try #require(ISO8601DateFormatter().date(from: fixture.date))
        let endpoint = try vector.endpoint.map { try AWSEndpoint(url: $0) } ?? AWSEndpoint.aws(service: .s3, region: fixture.region)
        let client = S3Client(
            credentials: AWSCredentials(
                accessKeyID: fixture.accessKeyID, secretAccessKey: fixture.secretAccessKey, sessionToken: vector.sessionToken),
            region: fixture.region, endpoint: endpoint)
        let form = try client.presignedPost(
            bucket: vector.bucket, key: vector.key, contentType: vector.contentType, sizeRange: vector.low...vector.high,
            expires: vector.expires, date: date)
        #expect(form.fields == vector.fields)
        #expect(form.url == vector.sdkURL)

        // The same conditions as botocore's generate_presigned_post (its own x-amz-* aside).
        let base64 = try #require(form.fields["policy"])
        let policy = try #require(Data(base64Encoded: base64))
        struct Policy: Decodable { var conditions: [JSONCondition] }
        let conditions = try JSONDecoder().decode(Policy.self, from: policy).conditions
            .filter { !$0.text.hasPrefix("x-amz-") }
        #expect(Set(conditions) == Set(vector.sdkConditions))
    }

    @Test("expiry and sizes are checked")
    func refusals() throws {
        let client = S3Client(
            credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret"), region: "us-east-1",
            endpoint: try AWSEndpoint.aws(service: .s3, region: "us-east-1"))
        #expect(throws: AWSError.self) {
            try client.presignedPost(bucket: "b", key: "k", contentType: "image/jpeg", sizeRange: 1...10, expires: 0)
        }
        #expect(throws: AWSError.self) {
            try client.presignedPost(bucket: "b", key: "", contentType: "image/jpeg", sizeRange: 1...10, expires: 60)
        }
        #expect(throws: AWSError.self) {
            try client.presignedPost(bucket: "b", key: "k", contentType: "image/jpeg", sizeRange: -1...10, expires: 60)
        }
    }

    @Test(
        "a browser's form POST stores the object (moto auth off)",
        .enabled(if: MotoServer.available, "needs moto[server] (scripts/setup installs it)"))
    func browserUpload() async throws {
        let server = try MotoServer(auth: false)
        defer { server.stop() }
        let s3 = S3Client(
            credentials: AWSCredentials(accessKeyID: server.accessKeyID, secretAccessKey: server.secretAccessKey),
            region: server.region, endpoint: try AWSEndpoint(url: server.endpoint))
        try await s3.createBucket("imagicon-forms")
        let body = Array("form upload body".utf8)
        let form = try s3.presignedPost(
            bucket: "imagicon-forms", key: "albums/a/b c.jpg", contentType: "image/jpeg", sizeRange: 1...100, expires: 300)
        let posted = try Browser.postForm(form.url, fields: form.fields, file: body, contentType: "image/jpeg")
        #expect((200..<300).contains(posted.status), "\(posted.status) \(String(decoding: posted.body, as: UTF8.self))")
        let stored = try await s3.getObject(bucket: "imagicon-forms", key: "albums/a/b c.jpg")
        #expect(stored.body == body)
        #expect(stored.info.contentType == "image/jpeg")
    }
}
