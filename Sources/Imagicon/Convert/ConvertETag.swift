import AWSCore

/// Strong ETags for converted images and `If-None-Match` matching.
public enum ConvertETag {
    /// Bump when the conversion itself changes output for the same inputs (resampler, encoder settings).
    public static let version = "1"

    /// `"<32 hex>"`: a digest of the source ETag, the key and the normalised parameters. The same
    /// source bytes and parameters give the same output bytes, so the tag is strong.
    public static func make(sourceETag: String, key: String, parameters: String) -> String {
        let input = "convert/v\(version)\n\(sourceETag)\n\(key)\n\(parameters)"
        return "\"\(Digests.sha256Hex(Array(input.utf8)).prefix(32))\""
    }

    /// Whether an `If-None-Match` header value matches `etag` (RFC 9110 weak comparison: `W/` ignored;
    /// `*` matches any).
    public static func matches(ifNoneMatch header: String, etag: String) -> Bool {
        for candidate in header.split(separator: ",") {
            var tag = String(candidate).trimmingASCIIWhitespace()
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
            if tag == etag { return true }
        }
        return false
    }
}
