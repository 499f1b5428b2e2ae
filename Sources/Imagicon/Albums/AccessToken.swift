import AWSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Bearer tokens of the albums API: owner and share tokens are `<album id>.<secret>`, the secret
/// 256 random bits in base64url (43 characters). The album id tells which album's partition holds
/// the token's hash; only the SHA-256 of the whole token is ever stored, and hashes are compared
/// in constant time. Tokens never go into logs.
public enum AccessToken {
    /// A new token for `albumID`.
    public static func make(albumID: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return albumID + "." + Base64URL.encode(bytes)
    }

    /// Lower-case hex SHA-256 of the token's UTF-8 bytes (what the table stores).
    public static func sha256Hex(_ token: String) -> String {
        Digests.sha256Hex(Array(token.utf8))
    }

    /// The album id of a well-formed owner or share token, nil for anything else.
    public static func albumID(of token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, AlbumID.isValid(parts[0]), parts[1].utf8.count == 43,
            parts[1].utf8.allSatisfy(Base64URL.isAlphabet)
        else { return nil }
        return String(parts[0])
    }

    /// Equal strings, in time that depends only on their lengths (for hashes of equal length).
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

/// Album ids and other random ids: 128 random bits in lower-case RFC 4648 base32 (26 characters).
public enum AlbumID {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// A new random id.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return base32(bytes)
    }

    /// True for exactly 26 characters of the id alphabet.
    public static func isValid(_ id: some StringProtocol) -> Bool {
        id.utf8.count == 26 && id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x32 && $0 <= 0x37) }
    }

    /// Lower-case base32 without padding.
    static func base32(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: out, as: UTF8.self)
    }
}
