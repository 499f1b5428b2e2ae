import AWSCore

/// S3 notification keys arrive form-encoded: `+` is a space, `%XX` a byte (some producers also
/// encode `/` as `%2F`). Decoding must yield valid UTF-8. (EventBridge keys are not encoded: they
/// are taken verbatim.)
public enum S3KeyDecoding {
    /// Decodes a key from an S3 or SQS-wrapped S3 event.
    public static func decode(_ raw: String) throws -> String {
        guard let key = URIEncoding.decode(raw, plusIsSpace: true) else {
            throw EventDecodingError(.invalidKey, "object key '\(raw)' is not a valid percent-encoded UTF-8 key")
        }
        guard !key.isEmpty else {
            throw EventDecodingError(.invalidKey, "object key is empty")
        }
        return key
    }
}
