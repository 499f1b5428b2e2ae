import AWSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An Amazon S3 client over the package's SigV4 signer and libcurl transport.
///
/// Addressing: virtual-hosted style (`bucket.s3.region.amazonaws.com`) on AWS endpoints for
/// DNS-compatible bucket names, path style (`endpoint/bucket/key`) on custom endpoints
/// (moto, LocalStack, MinIO) and for other names. Keys are UTF-8 and are encoded once per
/// path segment, so spaces, `+`, unicode and `/` round-trip exactly.
public struct S3Client: AWSServiceAPI {
    /// Signs, sends and retries.
    public var engine: AWSServiceClient

    /// A client on a prepared engine (its signer must use `SigV4Signer.Rules.s3`).
    public init(engine: AWSServiceClient) {
        self.engine = engine
    }

    public static let service = AWSService.s3
    public static let signingRules = SigV4Signer.Rules.s3

    // MARK: Addressing

    /// The endpoint and wire path for a bucket (and optionally a key) under this client's
    /// addressing rules. Throws `.invalidRequest` for an invalid bucket name or key.
    public func location(bucket: String, key: String?) throws(AWSError) -> (endpoint: AWSEndpoint, path: String) {
        try Self.validate(bucket: bucket)
        if let key { try Self.validate(key: key) }
        var endpoint = engine.endpoint
        var path = endpoint.basePath
        if !endpoint.isCustom && Self.isVirtualHostCompatible(bucket, scheme: endpoint.scheme) {
            endpoint.host = "\(bucket).\(endpoint.host)"
        } else {
            path += "/" + URIEncoding.encode(bucket)
        }
        if let key {
            path += "/" + URIEncoding.encode(key, keepSlash: true)
        } else if path.isEmpty {
            path = "/"
        }
        return (endpoint, path)
    }

    /// True when the bucket can be a DNS label of the S3 host (lower case, digits, `-`;
    /// dotted names only over plain HTTP, since they break the TLS wildcard certificate).
    static func isVirtualHostCompatible(_ bucket: String, scheme: String) -> Bool {
        let utf8 = bucket.utf8
        guard (3...63).contains(utf8.count), utf8.first != 0x2D, utf8.last != 0x2D else { return false }
        return utf8.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || ($0 == 0x2E && scheme == "http")
        }
    }

    static func validate(bucket: String) throws(AWSError) {
        let ok =
            (1...255).contains(bucket.utf8.count)
            && bucket.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E
                    || $0 == 0x5F
            }
        guard ok else { throw AWSError(.invalidRequest, "invalid S3 bucket name '\(bucket)'") }
    }

    static func validate(key: String) throws(AWSError) {
        guard !key.isEmpty, key.utf8.count <= 1024 else {
            throw AWSError(.invalidRequest, "S3 object keys must be 1...1024 bytes of UTF-8 (got \(key.utf8.count))")
        }
    }

    /// A request for `bucket`/`key` with the given method, query, headers and body.
    func request(
        _ method: String, bucket: String, key: String? = nil, query: [HTTPRequest.QueryItem] = [],
        headers: HTTPHeaders = [:], body: [UInt8] = []
    ) throws(AWSError) -> HTTPRequest {
        let (endpoint, path) = try location(bucket: bucket, key: key)
        return HTTPRequest(method: method, endpoint: endpoint, path: path, query: query, headers: headers, body: body)
    }

    /// Signs (payload hashed) and sends.
    func send(_ request: HTTPRequest, operation: String, maxResponseBytes: Int? = nil) async throws(AWSError) -> HTTPResponse {
        try await engine.send(request, payload: .hashing(request.body), operation: operation, maxResponseBytes: maxResponseBytes)
    }
}
