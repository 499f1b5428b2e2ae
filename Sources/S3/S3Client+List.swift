import AWSCore

/// One entry of a listing.
public struct S3ObjectSummary: Sendable, Equatable {
    /// The object's key.
    public var key: String
    /// Its size in bytes.
    public var size: Int
    /// Its entity tag (quoted, as S3 sends it).
    public var eTag: String?
    /// Last modification, ISO 8601 as S3 sends it.
    public var lastModified: String?
}

/// One page of ListObjectsV2.
public struct S3ListPage: Sendable, Equatable {
    /// The objects of this page, in key order.
    public var objects: [S3ObjectSummary]
    /// With a delimiter: the rolled-up key prefixes ("folders").
    public var commonPrefixes: [String]
    /// True when more pages follow.
    public var isTruncated: Bool
    /// Pass this as `continuationToken` to get the next page.
    public var nextContinuationToken: String?

    /// Parses a ListBucketResult document. Throws `.invalidResponse` when it is not one.
    static func parse(_ body: [UInt8]) throws(AWSError) -> S3ListPage {
        let text = String(decoding: body, as: UTF8.self)
        guard text.firstRange(of: "<ListBucketResult") != nil else {
            throw AWSError(.invalidResponse, "ListObjectsV2 answered something other than a ListBucketResult")
        }
        var objects: [S3ObjectSummary] = []
        for entry in XMLScan.elements("Contents", in: Substring(text)) {
            guard let key = XMLScan.values(of: "Key", in: entry, limit: 1).first,
                let size = XMLScan.values(of: "Size", in: entry, limit: 1).first.flatMap({ Int($0) })
            else { throw AWSError(.invalidResponse, "ListObjectsV2 entry without Key or Size") }
            objects.append(
                S3ObjectSummary(
                    key: key, size: size, eTag: XMLScan.values(of: "ETag", in: entry, limit: 1).first,
                    lastModified: XMLScan.values(of: "LastModified", in: entry, limit: 1).first))
        }
        let prefixes = XMLScan.elements("CommonPrefixes", in: Substring(text)).compactMap {
            XMLScan.values(of: "Prefix", in: $0, limit: 1).first
        }
        let truncated = XMLScan.firstValue(of: "IsTruncated", in: text) == "true"
        let token = XMLScan.firstValue(of: "NextContinuationToken", in: text)
        if truncated && (token ?? "").isEmpty {
            throw AWSError(.invalidResponse, "ListObjectsV2 page is truncated but has no continuation token")
        }
        return S3ListPage(
            objects: objects, commonPrefixes: prefixes, isTruncated: truncated,
            nextContinuationToken: truncated ? token : nil)
    }
}

extension S3Client {
    /// Lists one page of keys under `prefix` (up to `maxKeys`, S3 caps at 1000).
    public func listObjectsV2(
        bucket: String, prefix: String? = nil, delimiter: String? = nil, continuationToken: String? = nil,
        startAfter: String? = nil, maxKeys: Int? = nil
    ) async throws(AWSError) -> S3ListPage {
        var query: [HTTPRequest.QueryItem] = [.init("list-type", "2")]
        if let prefix { query.append(.init("prefix", prefix)) }
        if let delimiter { query.append(.init("delimiter", delimiter)) }
        if let continuationToken { query.append(.init("continuation-token", continuationToken)) }
        if let startAfter { query.append(.init("start-after", startAfter)) }
        if let maxKeys { query.append(.init("max-keys", String(max(0, maxKeys)))) }
        let response = try await send(try request("GET", bucket: bucket, query: query), operation: "ListObjectsV2")
        return try S3ListPage.parse(response.body)
    }

    /// Follows continuation tokens and returns every object under `prefix`; stops with
    /// `.invalidResponse` after `maxPages` pages (a guard against a server that never ends).
    public func listAllObjects(
        bucket: String, prefix: String? = nil, pageSize: Int? = nil, maxPages: Int = 10_000
    ) async throws(AWSError) -> [S3ObjectSummary] {
        var all: [S3ObjectSummary] = []
        var token: String? = nil
        for _ in 0..<maxPages {
            let page = try await listObjectsV2(bucket: bucket, prefix: prefix, continuationToken: token, maxKeys: pageSize)
            all += page.objects
            guard page.isTruncated, let next = page.nextContinuationToken else { return all }
            token = next
        }
        throw AWSError(.invalidResponse, "ListObjectsV2 returned more than \(maxPages) pages")
    }
}
