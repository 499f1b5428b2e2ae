import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Body digests some requests must carry.
public enum Digests {
    /// Base64 of the MD5 of `bytes`: the `Content-MD5` header S3 requires on DeleteObjects
    /// (an integrity check, not a security measure).
    public static func contentMD5(_ bytes: [UInt8]) -> String {
        Data(Insecure.MD5.hash(data: bytes)).base64EncodedString()
    }

    /// Lower-case hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: [UInt8]) -> String { SigV4Signer.hexSHA256(bytes) }
}
