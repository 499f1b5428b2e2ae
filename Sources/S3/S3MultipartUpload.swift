import AWSCore

/// Streams an object to S3: bytes are buffered up to `partSize` and sent as multipart-upload parts, so
/// memory stays at about one part however large the object grows. An object smaller than one part is
/// sent with a single PutObject (CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
/// AbortMultipartUpload). Used for search and album ZIPs.
public struct S3MultipartUpload: Sendable {
    /// The client that signs and sends.
    public let s3: S3Client
    /// The destination bucket.
    public let bucket: String
    /// The destination key.
    public let key: String
    /// The object's `Content-Type`.
    public let contentType: String
    /// Part size; S3 requires at least 5 MiB for every part but the last.
    public let partSize: Int

    private var buffer: [UInt8] = []
    private var uploadID: String?
    private var parts: [(number: Int, eTag: String)] = []

    /// An upload of `key`; nothing is sent before the first full part (or ``finish()``).
    public init(s3: S3Client, bucket: String, key: String, contentType: String, partSize: Int = 8 << 20) {
        self.s3 = s3
        self.bucket = bucket
        self.key = key
        self.contentType = contentType
        self.partSize = max(5 << 20, partSize)
    }

    /// Appends bytes, sending full parts.
    public mutating func write(_ bytes: [UInt8]) async throws(AWSError) {
        buffer += bytes
        while buffer.count >= partSize {
            let part = Array(buffer[..<partSize])
            buffer.removeFirst(partSize)
            try await sendPart(part)
        }
    }

    /// Sends what is left and completes the object.
    public mutating func finish() async throws(AWSError) {
        guard let uploadID else {
            try await s3.putObject(bucket: bucket, key: key, body: buffer, contentType: contentType)
            buffer = []
            return
        }
        if !buffer.isEmpty {
            try await sendPart(buffer)
            buffer = []
        }
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(XMLScan.escape(part.eTag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await send(
            "POST", query: [.init("uploadId", uploadID)], body: Array(xml.utf8),
            headers: ["Content-Type": "application/xml"], operation: "CompleteMultipartUpload")
        // S3 may answer 200 with an <Error> body when completion fails late.
        let text = String(decoding: response.body, as: UTF8.self)
        if !XMLScan.elements("Error", in: Substring(text)).isEmpty {
            throw AWSError(.invalidResponse, "CompleteMultipartUpload failed: \(XMLScan.firstValue(of: "Code", in: text) ?? "unknown")")
        }
    }

    /// Abandons a started multipart upload (best effort) so S3 frees its parts.
    public func abort() async {
        guard let uploadID else { return }
        _ = try? await send("DELETE", query: [.init("uploadId", uploadID)], operation: "AbortMultipartUpload")
    }

    private mutating func sendPart(_ bytes: [UInt8]) async throws(AWSError) {
        if uploadID == nil {
            let response = try await send(
                "POST", query: [.init("uploads")], headers: ["Content-Type": contentType],
                operation: "CreateMultipartUpload")
            guard let id = XMLScan.firstValue(of: "UploadId", in: String(decoding: response.body, as: UTF8.self)), !id.isEmpty else {
                throw AWSError(.invalidResponse, "CreateMultipartUpload answered without an UploadId")
            }
            uploadID = id
        }
        let number = parts.count + 1
        let response = try await send(
            "PUT", query: [.init("partNumber", String(number)), .init("uploadId", uploadID!)],
            body: bytes, operation: "UploadPart")
        guard let eTag = response.headers["etag"] else { throw AWSError(.invalidResponse, "UploadPart answered without an ETag") }
        parts.append((number, eTag))
    }

    private func send(
        _ method: String, query: [HTTPRequest.QueryItem], body: [UInt8] = [], headers: [String: String] = [:],
        operation: String
    ) async throws(AWSError) -> HTTPResponse {
        var httpHeaders = HTTPHeaders()
        for (name, value) in headers { httpHeaders.add(name, value) }
        return try await s3.send(
            try s3.request(method, bucket: bucket, key: key, query: query, headers: httpHeaders, body: body), operation: operation)
    }
}
