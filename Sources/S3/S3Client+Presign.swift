import AWSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension S3Client {
    /// A presigned GET URL for an object, valid for `expires` seconds (1...604800) from `date`.
    /// Signs only `Host` with `UNSIGNED-PAYLOAD`, as S3 expects of query-string auth.
    public func presignedGetURL(bucket: String, key: String, expires: Int, date: Date? = nil) throws(AWSError) -> String {
        var request = try request("GET", bucket: bucket, key: key)
        try engine.signer.presign(&request, expires: expires, payload: .unsigned, date: date ?? engine.now())
        return request.url
    }
}
