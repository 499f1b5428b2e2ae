import AWSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What S3 says about a stored object (from GetObject or HeadObject headers).
public struct S3ObjectInfo: Sendable, Equatable {
    /// Bytes in this response's body (the range's size for a ranged GET), or the object's size for HEAD.
    public var contentLength: Int?
    /// `Content-Type`.
    public var contentType: String?
    /// `Cache-Control`.
    public var cacheControl: String?
    /// The entity tag, with its quotes as S3 sends it.
    public var eTag: String?
    /// `Last-Modified`, as sent (RFC 7231 date).
    public var lastModified: String?
    /// `Content-Range` of a ranged GET, e.g. `bytes 0-99/12345`.
    public var contentRange: String?
    /// User metadata: the `x-amz-meta-*` headers, names lower-cased without the prefix.
    public var metadata: [String: String]

    /// Reads the fields from response headers.
    init(headers: HTTPHeaders) {
        contentLength = headers["content-length"].flatMap { Int($0) }
        contentType = headers["content-type"]
        cacheControl = headers["cache-control"]
        eTag = headers["etag"]
        lastModified = headers["last-modified"]
        contentRange = headers["content-range"]
        var metadata: [String: String] = [:]
        for field in headers {
            let name = field.name.lowercased()
            if name.hasPrefix("x-amz-meta-") { metadata[String(name.dropFirst(11))] = field.value }
        }
        self.metadata = metadata
    }

    /// The object's total size: from `Content-Range` when ranged, else `Content-Length`.
    public var totalSize: Int? {
        if let contentRange, let slash = contentRange.lastIndex(of: "/") { return Int(contentRange[contentRange.index(after: slash)...]) }
        return contentLength
    }
}

/// An object's bytes plus its headers.
public struct S3Object: Sendable, Equatable {
    /// The body (the requested range for a ranged GET).
    public var body: [UInt8]
    /// The object's headers.
    public var info: S3ObjectInfo
}

/// What PutObject returns.
public struct S3PutResult: Sendable, Equatable {
    /// The new object's entity tag.
    public var eTag: String?
}

extension S3Client {
    /// Default cap on GetObject bodies: 256 MiB.
    public static let defaultMaxObjectBytes = 256 << 20

    /// Downloads an object, or the inclusive byte `range` of it. Throws `.responseTooLarge`
    /// (and stops the transfer) once the body exceeds `maxBytes`; `.notFound` for a missing key.
    public func getObject(
        bucket: String, key: String, range: ClosedRange<Int>? = nil, maxBytes: Int = S3Client.defaultMaxObjectBytes
    ) async throws(AWSError) -> S3Object {
        var headers = HTTPHeaders()
        if let range {
            guard range.lowerBound >= 0 else { throw AWSError(.invalidRequest, "byte range must start at 0 or later") }
            headers.add("Range", "bytes=\(range.lowerBound)-\(range.upperBound)")
        }
        let response = try await send(
            try request("GET", bucket: bucket, key: key, headers: headers),
            operation: "GetObject", maxResponseBytes: maxBytes)
        return S3Object(body: response.body, info: S3ObjectInfo(headers: response.headers))
    }

    /// Uploads an object in one request. `metadata` becomes `x-amz-meta-*` headers (names and
    /// values must be printable ASCII; S3 would otherwise mangle them).
    @discardableResult
    public func putObject(
        bucket: String, key: String, body: [UInt8], contentType: String? = nil, cacheControl: String? = nil,
        metadata: [String: String] = [:]
    ) async throws(AWSError) -> S3PutResult {
        var headers = HTTPHeaders()
        if let contentType { headers.add("Content-Type", try Self.checkedHeaderValue(contentType, "Content-Type")) }
        if let cacheControl { headers.add("Cache-Control", try Self.checkedHeaderValue(cacheControl, "Cache-Control")) }
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let valid =
                !name.isEmpty
                && name.utf8.allSatisfy {
                    ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F
                }
            guard valid else { throw AWSError(.invalidRequest, "S3 metadata name '\(name)' must be letters, digits, '-' or '_'") }
            headers.add("x-amz-meta-\(name.lowercased())", try Self.checkedHeaderValue(value, "metadata '\(name)'"))
        }
        let response = try await send(try request("PUT", bucket: bucket, key: key, headers: headers, body: body), operation: "PutObject")
        return S3PutResult(eTag: response.headers["etag"])
    }

    /// Reads an object's headers without its body; `.notFound` when it does not exist.
    public func headObject(bucket: String, key: String) async throws(AWSError) -> S3ObjectInfo {
        let response = try await send(try request("HEAD", bucket: bucket, key: key), operation: "HeadObject")
        return S3ObjectInfo(headers: response.headers)
    }

    /// Deletes one object (succeeds when it is already absent, as S3 does).
    public func deleteObject(bucket: String, key: String) async throws(AWSError) {
        _ = try await send(try request("DELETE", bucket: bucket, key: key), operation: "DeleteObject")
    }

    /// Creates a bucket (for local setup); an existing bucket owned by the caller is fine.
    public func createBucket(_ bucket: String) async throws(AWSError) {
        var body: [UInt8] = []
        if engine.signer.region != "us-east-1" {
            body = Array(
                ("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>"
                    + XMLScan.escape(engine.signer.region) + "</LocationConstraint></CreateBucketConfiguration>").utf8)
        }
        do {
            _ = try await send(try request("PUT", bucket: bucket, body: body), operation: "CreateBucket")
        } catch  where error.serviceCode == "BucketAlreadyOwnedByYou" {
            return
        }
    }

    static func checkedHeaderValue(_ value: String, _ what: String) throws(AWSError) -> String {
        guard value.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 }) else {
            throw AWSError(.invalidRequest, "\(what) must be printable ASCII")
        }
        return value
    }
}
