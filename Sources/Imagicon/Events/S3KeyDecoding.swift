/// S3 event keys arrive form-encoded: `+` is a space, `%XX` a byte (some producers also
/// encode `/` as `%2F`). Decoding must yield valid UTF-8.
public enum S3KeyDecoding {
    /// Decodes a key from an S3 or SQS-wrapped S3 event.
    public static func decode(_ raw: String) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let hi = iterator.next().flatMap(hexValue), let lo = iterator.next().flatMap(hexValue) else {
                    throw EventDecodingError(.invalidKey, "object key '\(raw)' has a '%' not followed by two hex digits")
                }
                bytes.append(hi << 4 | lo)
            default:
                bytes.append(byte)
            }
        }
        guard let key = String(validating: bytes, as: UTF8.self) else {
            throw EventDecodingError(.invalidKey, "object key '\(raw)' does not decode to valid UTF-8")
        }
        guard !key.isEmpty else {
            throw EventDecodingError(.invalidKey, "object key is empty")
        }
        return key
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
