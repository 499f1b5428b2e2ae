#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Base64url without padding (RFC 4648 §5): tokens, cursors and ids that travel in URLs. The one
/// implementation of the package, in FoundationEssentials terms only (the Lambda package links no full
/// Foundation).
public enum Base64URL {
    /// `bytes` as base64url, no `=` padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        String(Data(bytes).base64EncodedString().compactMap { c -> Character? in c == "+" ? "-" : c == "/" ? "_" : c == "=" ? nil : c })
    }

    /// The bytes of a base64url string (padding optional); nil when it is not base64url.
    public static func decode(_ string: String) -> [UInt8]? {
        guard string.utf8.allSatisfy({ isAlphabet($0) || $0 == UInt8(ascii: "=") }) else { return nil }
        var b64 = String(string.map { c -> Character in c == "-" ? "+" : c == "_" ? "/" : c })
        b64 += String(repeating: "=", count: (4 - b64.utf8.count % 4) % 4)
        return Data(base64Encoded: b64).map { Array($0) }
    }

    /// True for the 64 characters of the base64url alphabet.
    public static func isAlphabet(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
            || byte == 0x5F
    }
}
