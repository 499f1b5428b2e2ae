import Foundation
import Testing

@testable import AWSCore
@testable import S3

/// Compares the S3 client's request building plus the signer with botocore's signers on
/// the cases of Fixtures/botocore/expected.json (see the README there).
@Suite("S3 signing matches botocore")
struct BotocoreSigningTests {
    struct Fixture: Decodable {
        struct S3Info: Decodable {
            var customEndpoint: String?
            var bucket: String
            var key: String?
            var query: [[String]]
        }
        struct Case: Decodable {
            var name: String
            var kind: String
            var service: String
            var method: String
            var url: String
            var headers: [[String]]?
            var body: String?
            var sessionToken: String?
            var canonicalRequest: String?
            var stringToSign: String?
            var signature: String?
            var authorization: String?
            var expires: Int?
            var presignedURL: String?
            var s3: S3Info?
        }
        var date: String
        var accessKeyID: String
        var secretAccessKey: String
        var region: String
        var cases: [Case]
    }

    static let fixture: Fixture? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/botocore/expected.json")
        return (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(Fixture.self, from: $0) }
    }()

    static var caseNames: [String] { fixture?.cases.map(\.name) ?? [] }

    @Test("fixture loads")
    func fixtureLoads() throws {
        let fixture = try #require(Self.fixture)
        #expect(fixture.cases.count == 10)
    }

    @Test("request and signature", arguments: caseNames)
    func signing(_ name: String) throws {
        let fixture = try #require(Self.fixture)
        let vector = try #require(fixture.cases.first { $0.name == name })
        let date = try #require(ISO8601DateFormatter().date(from: fixture.date))
        let credentials = AWSCredentials(
            accessKeyID: fixture.accessKeyID, secretAccessKey: fixture.secretAccessKey, sessionToken: vector.sessionToken)
        var headers = HTTPHeaders()
        for pair in vector.headers ?? [] { headers.add(pair[0], pair[1]) }
        let body = Array((vector.body ?? "").utf8)

        var request: HTTPRequest
        var signer: SigV4Signer
        if let info = vector.s3 {
            let endpoint =
                try info.customEndpoint.map { try AWSEndpoint(url: $0) }
                ?? AWSEndpoint.aws(service: .s3, region: fixture.region)
            let client = S3Client(credentials: credentials, region: fixture.region, endpoint: endpoint)
            request = try client.request(
                vector.method, bucket: info.bucket, key: info.key,
                query: info.query.map { .init($0[0], $0[1]) }, headers: headers, body: body)
            signer = client.engine.signer
            if vector.kind == "presign" {
                let url = try client.presignedGetURL(
                    bucket: info.bucket, key: try #require(info.key),
                    expires: try #require(vector.expires), date: date)
                #expect(Self.sortedQuery(url) == Self.sortedQuery(try #require(vector.presignedURL)))
                #expect(url.split(separator: "?").first == vector.presignedURL?.split(separator: "?").first)
                return
            }
        } else {
            let endpoint = try AWSEndpoint.aws(service: .dynamoDB, region: fixture.region)
            request = HTTPRequest(method: vector.method, endpoint: endpoint, path: "/", headers: headers, body: body)
            signer = SigV4Signer(credentials: credentials, region: fixture.region, service: "dynamodb", rules: .standard)
        }
        #expect(request.url == vector.url)
        let signature = signer.sign(&request, payload: .hashing(body), date: date)
        #expect(signature.canonicalRequest == vector.canonicalRequest)
        #expect(signature.stringToSign == vector.stringToSign)
        #expect(signature.signature == vector.signature)
        #expect(request.headers["Authorization"] == vector.authorization)
    }

    /// Query parameters order-insensitively (botocore keeps insertion order, we sort).
    static func sortedQuery(_ url: String) -> [Substring] {
        (url.split(separator: "?", maxSplits: 1).last ?? "").split(separator: "&").sorted()
    }
}
