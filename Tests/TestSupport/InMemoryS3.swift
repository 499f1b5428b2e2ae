import AWSCore
import Foundation
import Synchronization

/// Just enough of S3 in memory for handler tests without moto: path-style GET (with `Range`), HEAD,
/// PUT and DELETE of single objects, and S3's XML errors (`NoSuchKey`, `NoSuchBucket`). Use it as a
/// ``ScriptedTransport`` responder with a custom endpoint (`http://127.0.0.1:1`: path-style addressing,
/// nothing listens there, nothing is sent).
public final class InMemoryS3: Sendable {
    /// One stored object.
    public struct Object: Sendable {
        public var body: [UInt8]
        public var contentType: String
        public var etag: String
    }

    private let store = Mutex<[String: [String: Object]]>([:])

    /// Creates an S3 with these (empty) buckets.
    public init(buckets: [String]) {
        store.withLock { s in for bucket in buckets { s[bucket] = [:] } }
    }

    /// Stores an object directly; returns its ETag (unquoted).
    @discardableResult
    public func put(bucket: String, key: String, body: [UInt8], contentType: String = "application/octet-stream") -> String {
        let etag = Self.etag(body)
        store.withLock { $0[bucket, default: [:]][key] = Object(body: body, contentType: contentType, etag: etag) }
        return etag
    }

    /// A transport that answers from this store.
    public func transport() -> ScriptedTransport {
        ScriptedTransport(responder: { [self] request in self.respond(to: request) })
    }

    /// Answers one request.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        let segments = request.path.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).dropFirst()
        guard let rawBucket = segments.first.map(String.init), !rawBucket.isEmpty else { return error(400, "InvalidRequest") }
        let bucket = rawBucket.removingPercentEncoding ?? rawBucket
        let key = segments.dropFirst().first.map { String($0).removingPercentEncoding ?? String($0) }
        return store.withLock { s -> HTTPResponse in
            guard s[bucket] != nil else { return error(404, "NoSuchBucket") }
            guard let key else { return error(400, "InvalidRequest") }
            switch request.method {
            case "PUT":
                let object = Object(
                    body: request.body, contentType: request.headers["Content-Type"] ?? "binary/octet-stream",
                    etag: Self.etag(request.body))
                s[bucket]![key] = object
                return HTTPResponse(status: 200, headers: ["ETag": "\"\(object.etag)\""])
            case "DELETE":
                s[bucket]![key] = nil
                return HTTPResponse(status: 204)
            case "GET", "HEAD":
                guard let object = s[bucket]![key] else { return error(404, "NoSuchKey") }
                var body = object.body
                var status = 200
                var headers: HTTPHeaders = ["ETag": "\"\(object.etag)\"", "Content-Type": object.contentType]
                if let range = request.headers["Range"], let bounds = Self.range(range, size: body.count) {
                    body = Array(body[bounds])
                    status = 206
                    headers.add("Content-Range", "bytes \(bounds.lowerBound)-\(bounds.upperBound)/\(object.body.count)")
                }
                headers.add("Content-Length", "\(body.count)")
                return HTTPResponse(status: status, headers: headers, body: request.method == "HEAD" ? [] : body)
            default:
                return error(405, "MethodNotAllowed")
            }
        }
    }

    /// A content hash standing in for S3's MD5 ETag (FNV-1a and the length).
    private static func etag(_ body: [UInt8]) -> String {
        String(format: "%08x%08x", body.count, body.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 })
    }

    private func error(_ status: Int, _ code: String) -> HTTPResponse {
        .text(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>\(code)</Message></Error>")
    }

    /// `bytes=a-b` clipped to the object.
    private static func range(_ header: String, size: Int) -> ClosedRange<Int>? {
        guard header.hasPrefix("bytes="), size > 0 else { return nil }
        let parts = header.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let first = Int(parts[0]), first < size else { return nil }
        let last = min(Int(parts[1]) ?? size - 1, size - 1)
        return first <= last ? first...last : nil
    }
}
