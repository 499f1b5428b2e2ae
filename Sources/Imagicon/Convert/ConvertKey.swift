import AWSCore

/// The S3 key a conversion request names: the Function URL path without its leading `/`,
/// percent-decoded, and checked so that only originals can be read.
public enum ConvertKey {
    /// S3's own key length limit, in UTF-8 bytes.
    public static let maxBytes = 1024

    /// Prefixes that hold the pipeline's own outputs or private uploads, never served:
    /// thumbnails (served from their own bucket/prefix) and search sessions (selfies, ZIPs).
    public static let forbiddenPrefixes = [StorageLayout.thumbnailPrefix, StorageLayout.sessionsPrefix]

    /// Decodes and validates the key in `rawPath` (`/<key>`).
    ///
    /// Refused (400): no path, bad escapes or UTF-8, control characters or `\`, more than
    /// ``maxBytes``, an empty segment (a leading `//`, `a//b`, a trailing `/`), a `.` or `..`
    /// segment. Refused (403): keys under ``forbiddenPrefixes``.
    public static func decode(rawPath: String) throws(ConvertError) -> String {
        guard rawPath.hasPrefix("/"), rawPath.utf8.count > 1 else {
            throw ConvertError.badRequest("The path must name an image: GET /<key>?w=&h=&fit=&format=&q=.")
        }
        guard rawPath.utf8.count <= maxBytes * 3 + 1,
            let key = URIEncoding.decode(rawPath.dropFirst(), plusIsSpace: false)
        else {
            throw ConvertError.badRequest("The path is not a valid percent-encoded UTF-8 key.")
        }
        guard key.utf8.count <= maxBytes else {
            throw ConvertError.badRequest("The key is longer than \(maxBytes) bytes.")
        }
        guard !key.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) else {
            throw ConvertError.badRequest("The key contains control characters or a backslash.")
        }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty else {
                throw ConvertError.badRequest("The key has an empty path segment (a leading, doubled or trailing '/').")
            }
            guard segment != ".", segment != ".." else {
                throw ConvertError.badRequest("The key has a '.' or '..' segment.")
            }
        }
        if let prefix = forbiddenPrefixes.first(where: { StorageLayout.isKey(key, under: $0) }) {
            throw ConvertError(.forbidden, status: 403, "Keys under '\(prefix)' are not served by this function.")
        }
        return key
    }
}
