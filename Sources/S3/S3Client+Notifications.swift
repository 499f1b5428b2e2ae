import AWSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension S3Client {
    /// Sends the bucket's object events (e.g. `s3:ObjectCreated:*`) for keys under `prefix` to an SQS
    /// queue, replacing the bucket's notification configuration (local stacks wire uploads to `process`
    /// this way; on AWS the template does it).
    public func putQueueNotification(bucket: String, queueARN: String, events: [String], prefix: String = "") async throws(AWSError) {
        var xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + "<QueueConfiguration><Id>imagicon-events</Id><Queue>" + XMLScan.escape(queueARN) + "</Queue>"
        for event in events { xml += "<Event>" + XMLScan.escape(event) + "</Event>" }
        if !prefix.isEmpty {
            xml +=
                "<Filter><S3Key><FilterRule><Name>prefix</Name><Value>" + XMLScan.escape(prefix) + "</Value></FilterRule></S3Key></Filter>"
        }
        xml += "</QueueConfiguration></NotificationConfiguration>"
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/xml")
        _ = try await send(
            try request("PUT", bucket: bucket, query: [.init("notification")], headers: headers, body: Array(xml.utf8)),
            operation: "PutBucketNotificationConfiguration")
    }
}
