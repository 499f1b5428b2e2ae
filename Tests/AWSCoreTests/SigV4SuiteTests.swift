import Foundation
import Testing

@testable import AWSCore

/// The published SigV4 suite of awslabs/aws-c-auth (see Fixtures/README.md): for every case,
/// the canonical request, string to sign and signature must match byte for byte, for both
/// header signing and presigned query strings.
@Suite("SigV4 published test suite (aws-c-auth v4)")
struct SigV4SuiteTests {
    static let suiteDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/aws-signing-test-suite/v4")

    /// Cases this signer does not implement on purpose (see Fixtures/README.md).
    static let skipped: Set<String> = ["post-sts-header-after"]

    static let cases: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: suiteDirectory.path)) ?? []
        return names.filter { !skipped.contains($0) }.sorted()
    }()

    @Test("the fixture directory holds the suite")
    func fixturesPresent() {
        #expect(Self.cases.count == 37)
    }

    @Test("header signing", arguments: cases)
    func headerSigning(_ name: String) throws {
        let vector = try SuiteCase(directory: Self.suiteDirectory.appendingPathComponent(name))
        var request = vector.request
        let signature = vector.signer.sign(&request, payload: .hashing(request.body), date: vector.date)
        #expect(signature.canonicalRequest == vector.text("header-canonical-request.txt"))
        #expect(signature.stringToSign == vector.text("header-string-to-sign.txt"))
        #expect(signature.signature == vector.text("header-signature.txt"))
        #expect(request.headers["Authorization"]?.hasSuffix("Signature=\(signature.signature)") == true)
    }

    @Test("presigned query signing", arguments: cases)
    func querySigning(_ name: String) throws {
        let vector = try SuiteCase(directory: Self.suiteDirectory.appendingPathComponent(name))
        var request = vector.request
        var signer = vector.signer
        signer.rules.contentSHA256Header = false
        let signature = try signer.presign(&request, expires: vector.expires, payload: .hashing(request.body), date: vector.date)
        #expect(signature.canonicalRequest == vector.text("query-canonical-request.txt"))
        #expect(signature.stringToSign == vector.text("query-string-to-sign.txt"))
        #expect(signature.signature == vector.text("query-signature.txt"))
        #expect(request.query.last == .init("X-Amz-Signature", signature.signature))
    }
}

/// One case of the suite: its context, parsed request and expected files.
struct SuiteCase {
    let directory: URL
    let signer: SigV4Signer
    let date: Date
    let expires: Int
    let request: HTTPRequest

    struct Context: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }
        var credentials: Credentials
        var expiration_in_seconds: Int?
        var normalize: Bool
        var region: String
        var service: String
        var sign_body: Bool
        var timestamp: String
    }

    init(directory: URL) throws {
        self.directory = directory
        let context = try JSONDecoder().decode(Context.self, from: Data(contentsOf: directory.appendingPathComponent("context.json")))
        let credentials = AWSCredentials(
            accessKeyID: context.credentials.access_key_id, secretAccessKey: context.credentials.secret_access_key,
            sessionToken: context.credentials.token)
        signer = SigV4Signer(
            credentials: credentials, region: context.region, service: context.service,
            rules: .init(doubleURIEncode: true, normalizePath: context.normalize, contentSHA256Header: context.sign_body))
        date = try #require(ISO8601DateFormatter().date(from: context.timestamp))
        expires = context.expiration_in_seconds ?? 3600
        request = try Self.parseRequest(Data(contentsOf: directory.appendingPathComponent("request.txt")))
    }

    func text(_ file: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)) ?? "<missing \(file)>"
    }

    /// Parses the suite's raw HTTP request: request line, headers (with folded continuation
    /// lines), blank line, body. The path is taken as the wire path; query items are decoded.
    static func parseRequest(_ data: Data) throws -> HTTPRequest {
        let bytes = [UInt8](data)
        var headEnd = bytes.count
        var bodyStart = bytes.count
        for index in 0..<bytes.count where bytes[index] == 0x0A && index + 1 < bytes.count && bytes[index + 1] == 0x0A {
            headEnd = index
            bodyStart = index + 2
            break
        }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst().split(separator: " ")
        let method = String(requestLine[0])
        let target = requestLine[1..<(requestLine.count - 1)].joined(separator: " ")
        var headers = HTTPHeaders()
        var pending: (String, String)? = nil
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                pending?.1 += " " + line
                continue
            }
            if let pending { headers.add(pending.0, pending.1) }
            let colon = try #require(line.firstIndex(of: ":"))
            pending = (String(line[..<colon]), String(line[line.index(after: colon)...]))
        }
        if let pending { headers.add(pending.0, pending.1) }
        var path = target
        var query: [HTTPRequest.QueryItem] = []
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            for pair in target[target.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = try #require(URIEncoding.decode(parts[0]))
                let value = parts.count > 1 ? try #require(URIEncoding.decode(parts[1])) : ""
                query.append(.init(name, value))
            }
        }
        let host = try #require(headers["host"])
        return HTTPRequest(
            method: method, endpoint: AWSEndpoint(host: host, isCustom: false), path: path, query: query,
            headers: headers, body: Array(bytes[min(bodyStart, bytes.count)...]))
    }
}
