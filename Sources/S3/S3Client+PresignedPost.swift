import AWSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A browser form upload to S3 (POST Object with a signed policy): post `fields`, then the file
/// as the last form part named `file`, to `url` (multipart/form-data).
public struct S3PresignedPost: Sendable, Equatable, Codable {
    /// The bucket's URL.
    public var url: String
    /// The form fields, the file excluded.
    public var fields: [String: String]
}

extension S3Client {
    /// A presigned POST that lets a browser upload exactly one object: the policy pins the
    /// bucket, the key, the `Content-Type` and a size range (`content-length-range`), and
    /// expires after `expires` seconds (1...604800). Built as botocore's `S3SigV4PostAuth`
    /// builds it (same conditions, same order, same JSON), so S3 checks it like a SDK's.
    public func presignedPost(
        bucket: String, key: String, contentType: String, sizeRange: ClosedRange<Int>, expires: Int, date: Date? = nil
    ) throws(AWSError) -> S3PresignedPost {
        guard (1...604_800).contains(expires) else {
            throw AWSError(.invalidRequest, "presigned POST expiry must be 1...604800 seconds, got \(expires)")
        }
        guard sizeRange.lowerBound >= 0 else { throw AWSError(.invalidRequest, "presigned POST sizes must not be negative") }
        try Self.validate(key: key)
        let (endpoint, path) = try location(bucket: bucket, key: nil)
        let now = date ?? engine.now()
        let stamp = AMZDate(now)
        let expiration = AMZDate(now.addingTimeInterval(Double(expires)))
        let signer = engine.signer
        let credential = "\(signer.credentials.accessKeyID)/\(stamp.day)/\(signer.region)/\(signer.service)/aws4_request"

        var conditions: [PolicyJSON] = [
            .object("bucket", bucket), .object("key", key), .object("Content-Type", contentType),
            .range("content-length-range", sizeRange.lowerBound, sizeRange.upperBound),
            .object("x-amz-algorithm", "AWS4-HMAC-SHA256"), .object("x-amz-credential", credential),
            .object("x-amz-date", stamp.timestamp),
        ]
        var fields = [
            "key": key, "Content-Type": contentType, "x-amz-algorithm": "AWS4-HMAC-SHA256",
            "x-amz-credential": credential, "x-amz-date": stamp.timestamp,
        ]
        if let token = signer.credentials.sessionToken {
            conditions.append(.object("x-amz-security-token", token))
            fields["x-amz-security-token"] = token
        }
        let document =
            "{\"expiration\": \(PolicyJSON.quote(Self.policyExpiration(expiration))), \"conditions\": ["
            + conditions.map(\.text).joined(separator: ", ") + "]}"
        let policy = Data(document.utf8).base64EncodedString()
        fields["policy"] = policy
        fields["x-amz-signature"] = signer.signPolicy(policy, stamp: stamp).signature
        return S3PresignedPost(url: "\(endpoint.scheme)://\(endpoint.hostHeader)\(path)", fields: fields)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, as policies (and botocore) write the expiration.
    static func policyExpiration(_ stamp: AMZDate) -> String {
        let d = Array(stamp.timestamp)
        func part(_ range: Range<Int>) -> String { String(d[range]) }
        return "\(part(0..<4))-\(part(4..<6))-\(part(6..<8))T\(part(9..<11)):\(part(11..<13)):\(part(13..<15))Z"
    }
}

/// A policy condition written as Python's `json.dumps` writes it (`", "` and `": "`
/// separators, non-ASCII as `\uXXXX`), so the signed bytes equal botocore's.
enum PolicyJSON {
    case object(String, String)
    case range(String, Int, Int)

    var text: String {
        switch self {
        case .object(let name, let value): "{\(Self.quote(name)): \(Self.quote(value))}"
        case .range(let name, let low, let high): "[\(Self.quote(name)), \(low), \(high)]"
        }
    }

    static func quote(_ string: String) -> String {
        var out = "\""
        for unit in string.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }
}
