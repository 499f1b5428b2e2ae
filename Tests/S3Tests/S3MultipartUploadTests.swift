import AWSCore
import Foundation
import S3
import Testing

/// An in-memory S3 that speaks just enough of PutObject and the multipart-upload calls, recording
/// what the client sent.
final class FakeS3Transport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [Int: [UInt8]] = [:]
    private(set) var objects: [String: [UInt8]] = [:]
    private(set) var operations: [String] = []
    private(set) var partSizes: [Int] = []
    private(set) var aborted = false

    func send(_ request: HTTPRequest, limits: TransportLimits) async throws(AWSError) -> HTTPResponse {
        lock.withLock { handle(request) }
    }

    private func handle(_ request: HTTPRequest) -> HTTPResponse {
        let query = Dictionary(request.query.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        switch (request.method, query.keys.sorted()) {
        case ("POST", ["uploads"]):
            operations.append("create")
            return HTTPResponse(
                status: 200, body: Array("<InitiateMultipartUploadResult><UploadId>u-1</UploadId></InitiateMultipartUploadResult>".utf8))
        case ("PUT", ["partNumber", "uploadId"]):
            let number = Int(query["partNumber"]!)!
            operations.append("part\(number)")
            parts[number] = request.body
            partSizes.append(request.body.count)
            var headers = HTTPHeaders()
            headers.add("ETag", "\"etag-\(number)\"")
            return HTTPResponse(status: 200, headers: headers)
        case ("POST", ["uploadId"]):
            operations.append("complete")
            let xml = String(decoding: request.body, as: UTF8.self)
            let numbers = XMLScan.values(of: "PartNumber", in: xml[...]).compactMap { Int($0) }
            let tags = XMLScan.values(of: "ETag", in: xml[...])
            guard tags == numbers.map({ "\"etag-\($0)\"" }) else { return HTTPResponse(status: 400) }
            objects[request.path] = numbers.flatMap { parts[$0] ?? [] }
            return HTTPResponse(status: 200, body: Array("<CompleteMultipartUploadResult/>".utf8))
        case ("DELETE", ["uploadId"]):
            aborted = true
            return HTTPResponse(status: 204)
        case ("PUT", []):
            operations.append("put")
            objects[request.path] = request.body
            return HTTPResponse(status: 200)
        default:
            return HTTPResponse(status: 400)
        }
    }
}

@Suite("S3: streaming multipart upload")
struct S3MultipartUploadTests {
    static func client(_ transport: FakeS3Transport) throws -> S3Client {
        S3Client(
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "us-east-1",
            endpoint: try AWSEndpoint(url: "http://127.0.0.1:9"), transport: transport)
    }

    @Test func largeObjectGoesOutInBoundedParts() async throws {
        let transport = FakeS3Transport()
        var upload = S3MultipartUpload(
            s3: try Self.client(transport), bucket: "b", key: "sessions/x.zip", contentType: "application/zip",
            partSize: 5 << 20)
        var all: [UInt8] = []
        for chunk in 0..<5 {
            let bytes = [UInt8](repeating: UInt8(chunk), count: 3 << 20)
            all += bytes
            try await upload.write(bytes)
        }
        try await upload.finish()
        #expect(transport.operations == ["create", "part1", "part2", "part3", "complete"])
        #expect(transport.partSizes == [5 << 20, 5 << 20, 5 << 20])
        #expect(transport.objects.values.first == all)
    }

    @Test func smallObjectIsOnePut() async throws {
        let transport = FakeS3Transport()
        var upload = S3MultipartUpload(s3: try Self.client(transport), bucket: "b", key: "sessions/y.zip", contentType: "application/zip")
        try await upload.write([1, 2, 3])
        try await upload.write([4])
        try await upload.finish()
        #expect(transport.operations == ["put"])
        #expect(transport.objects.values.first == [1, 2, 3, 4])
    }

    @Test func partSizeIsNeverBelowS3sMinimum() throws {
        let upload = S3MultipartUpload(s3: try Self.client(FakeS3Transport()), bucket: "b", key: "k", contentType: "x", partSize: 1)
        #expect(upload.partSize == 5 << 20)
    }
}
