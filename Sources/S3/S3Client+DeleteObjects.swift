import AWSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The outcome of DeleteObjects: which keys went, and which failed with what.
public struct S3DeleteResult: Sendable, Equatable {
    /// One key S3 could not delete.
    public struct Failure: Sendable, Equatable {
        /// The key.
        public var key: String
        /// S3's error code, e.g. `AccessDenied`.
        public var code: String
        /// S3's message.
        public var message: String
    }

    /// Keys reported deleted.
    public var deleted: [String]
    /// Keys that failed.
    public var failures: [Failure]
}

extension S3Client {
    /// Deletes many keys, 1000 per request as S3 allows. Per-key failures are returned, not thrown.
    /// Keys with control characters, which an XML 1.0 body cannot carry (`&#x1;` is not allowed and
    /// a CR would be read as LF), are deleted one by one with DeleteObject.
    public func deleteObjects(bucket: String, keys: [String]) async throws(AWSError) -> S3DeleteResult {
        var result = S3DeleteResult(deleted: [], failures: [])
        let xmlUnsafe = { (key: String) in key.utf8.contains { $0 < 0x20 || $0 == 0x7F } }
        for key in keys where xmlUnsafe(key) {
            do {
                try await deleteObject(bucket: bucket, key: key)
                result.deleted.append(key)
            } catch  where !error.isRetryable {
                result.failures.append(.init(key: key, code: error.serviceCode ?? "\(error.code)", message: error.message))
            }
        }
        let keys = keys.filter { !xmlUnsafe($0) }
        var start = 0
        while start < keys.count {
            let batch = keys[start..<min(start + 1000, keys.count)]
            start += batch.count
            var xml =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>false</Quiet>"
            for key in batch {
                try Self.validate(key: key)
                xml += "<Object><Key>" + XMLScan.escape(key) + "</Key></Object>"
            }
            xml += "</Delete>"
            let body = Array(xml.utf8)
            var headers = HTTPHeaders()
            headers.add("Content-Type", "application/xml")
            headers.add("Content-MD5", Digests.contentMD5(body))
            let response = try await send(
                try request("POST", bucket: bucket, query: [.init("delete")], headers: headers, body: body),
                operation: "DeleteObjects")
            let text = Substring(String(decoding: response.body, as: UTF8.self))
            for entry in XMLScan.elements("Deleted", in: text) {
                if let key = XMLScan.values(of: "Key", in: entry, limit: 1).first { result.deleted.append(key) }
            }
            for entry in XMLScan.elements("Error", in: text) {
                result.failures.append(
                    .init(
                        key: XMLScan.values(of: "Key", in: entry, limit: 1).first ?? "",
                        code: XMLScan.values(of: "Code", in: entry, limit: 1).first ?? "",
                        message: XMLScan.values(of: "Message", in: entry, limit: 1).first ?? ""))
            }
        }
        return result
    }
}
