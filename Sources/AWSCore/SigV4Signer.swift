import Crypto
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// AWS Signature Version 4: signs requests in the `Authorization` header or as presigned
/// query strings. A value type with no hidden clock: every method takes the signing `Date`.
///
/// Inputs follow one convention: `HTTPRequest.path` is the path as sent on the wire (already
/// percent-encoded once); query items are decoded and get encoded here.
public struct SigV4Signer: Sendable {
    /// How a service wants its requests canonicalised.
    public struct Rules: Sendable, Equatable {
        /// Encode the (already encoded) path again for the canonical URI. True for every
        /// service except S3, which signs the path exactly as sent.
        public var doubleURIEncode: Bool
        /// Remove `.`/`..` segments and empty segments from the canonical path (not for S3,
        /// where `a//b` and `a/./b` are distinct keys).
        public var normalizePath: Bool
        /// Send and sign `x-amz-content-sha256` (S3 requires it).
        public var contentSHA256Header: Bool

        /// Rules from explicit flags.
        public init(doubleURIEncode: Bool, normalizePath: Bool, contentSHA256Header: Bool) {
            self.doubleURIEncode = doubleURIEncode
            self.normalizePath = normalizePath
            self.contentSHA256Header = contentSHA256Header
        }

        /// S3: path signed as sent, `x-amz-content-sha256` always present.
        public static let s3 = Rules(doubleURIEncode: false, normalizePath: false, contentSHA256Header: true)
        /// Every other service (DynamoDB included): normalised, double-encoded path.
        public static let standard = Rules(doubleURIEncode: true, normalizePath: true, contentSHA256Header: false)
    }

    /// What the signature says about the body.
    public enum Payload: Sendable, Equatable {
        /// The lower-case hex SHA-256 of the body.
        case sha256Hex(String)
        /// `UNSIGNED-PAYLOAD` (presigned S3 URLs; large bodies over TLS).
        case unsigned

        /// The hash of `bytes`.
        public static func hashing(_ bytes: [UInt8]) -> Payload { .sha256Hex(SigV4Signer.hexSHA256(bytes)) }
        /// The hash of the empty body.
        public static let empty = Payload.sha256Hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

        /// The value that goes into the canonical request.
        public var value: String {
            switch self {
            case .sha256Hex(let hex): hex
            case .unsigned: "UNSIGNED-PAYLOAD"
            }
        }
    }

    /// The intermediate and final results of one signing, for tests and debugging.
    public struct Signature: Sendable, Equatable {
        /// The canonical request that was hashed.
        public var canonicalRequest: String
        /// The string that was HMAC-ed.
        public var stringToSign: String
        /// The signature, lower-case hex.
        public var signature: String
        /// The `;`-joined lower-case names of the signed headers.
        public var signedHeaders: String
    }

    /// The signing credentials.
    public var credentials: AWSCredentials
    /// The region of the credential scope.
    public var region: String
    /// The signing name of the service, e.g. `s3` or `dynamodb`.
    public var service: String
    /// Canonicalisation rules.
    public var rules: Rules
    /// The derived key of the last signing day, shared by copies of this signer.
    private let keyCache = SigningKeyCache()

    /// A signer for one service in one region.
    public init(credentials: AWSCredentials, region: String, service: String, rules: Rules) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.rules = rules
    }

    /// Header names never signed: proxies and the transport may change them.
    static let unsignedHeaders: Set<String> = [
        "authorization", "user-agent", "expect", "x-amzn-trace-id", "connection", "transfer-encoding",
    ]

    // MARK: Header signing

    /// Signs `request` in place: sets `Host` (if missing), `X-Amz-Date`, `X-Amz-Security-Token`
    /// (with a session token), `x-amz-content-sha256` (when the rules ask) and `Authorization`.
    @discardableResult
    public func sign(_ request: inout HTTPRequest, payload: Payload, date: Date) -> Signature {
        let stamp = AMZDate(date)
        for name in ["Authorization", "X-Amz-Date", "X-Amz-Security-Token"] { request.headers.remove(name) }
        if request.headers["host"] == nil { request.headers.add("Host", request.endpoint.hostHeader) }
        request.headers.add("X-Amz-Date", stamp.timestamp)
        if let token = credentials.sessionToken { request.headers.add("X-Amz-Security-Token", token) }
        if rules.contentSHA256Header { request.headers.set("x-amz-content-sha256", payload.value) }
        let signature = computeSignature(
            method: request.method, path: request.path, query: request.query, headers: request.headers,
            payload: payload, stamp: stamp)
        request.headers.add(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(stamp)), SignedHeaders=\(signature.signedHeaders), Signature=\(signature.signature)"
        )
        return signature
    }

    // MARK: Presigning

    /// Adds the presigning parameters (`X-Amz-Algorithm`, `-Credential`, `-Date`, `-Expires`,
    /// `-SignedHeaders`, `-Security-Token` and finally `-Signature`) to the request's query.
    /// Every header of the request is signed (at least `Host`); `expires` is in seconds
    /// (1 ... 604800, as SigV4 allows).
    @discardableResult
    public func presign(_ request: inout HTTPRequest, expires: Int, payload: Payload = .unsigned, date: Date) throws(AWSError) -> Signature
    {
        guard (1...604_800).contains(expires) else {
            throw AWSError(.invalidRequest, "presigned URL expiry must be 1...604800 seconds, got \(expires)")
        }
        let stamp = AMZDate(date)
        if request.headers["host"] == nil { request.headers.add("Host", request.endpoint.hostHeader) }
        let reserved: Set<String> = [
            "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
            "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature",
        ]
        request.query.removeAll { reserved.contains($0.name) }
        let headers = Self.canonicalHeaders(request.headers)
        request.query.append(.init("X-Amz-Algorithm", "AWS4-HMAC-SHA256"))
        request.query.append(.init("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(stamp))"))
        request.query.append(.init("X-Amz-Date", stamp.timestamp))
        request.query.append(.init("X-Amz-Expires", String(expires)))
        if let token = credentials.sessionToken { request.query.append(.init("X-Amz-Security-Token", token)) }
        request.query.append(.init("X-Amz-SignedHeaders", headers.signedNames))
        let signature = computeSignature(
            method: request.method, path: request.path, query: request.query, headers: request.headers,
            payload: payload, stamp: stamp)
        request.query.append(.init("X-Amz-Signature", signature.signature))
        return signature
    }

    // MARK: Browser form uploads

    /// The signature of a browser POST policy (S3 form uploads): the base64 policy document is
    /// the string to sign, HMAC-ed with the day's signing key. Returns the credential
    /// (`access-key/scope`) the form must name, and the hex signature.
    public func signPolicy(_ base64Policy: String, stamp: AMZDate) -> (credential: String, signature: String) {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(base64Policy.utf8), using: signingKey(day: stamp.day))
        return ("\(credentials.accessKeyID)/\(scope(stamp))", Self.hex(mac))
    }

    // MARK: The algorithm

    /// `day/region/service/aws4_request`.
    func scope(_ stamp: AMZDate) -> String { "\(stamp.day)/\(region)/\(service)/aws4_request" }

    /// Builds canonical request, string to sign and signature for the given parts.
    public func computeSignature(
        method: String, path: String, query: [HTTPRequest.QueryItem], headers: HTTPHeaders, payload: Payload, stamp: AMZDate
    ) -> Signature {
        let canonicalHeaders = Self.canonicalHeaders(headers)
        let canonicalRequest = [
            method.uppercased(),
            canonicalURI(path),
            Self.canonicalQueryString(query),
            canonicalHeaders.block,
            canonicalHeaders.signedNames,
            payload.value,
        ].joined(separator: "\n")
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            stamp.timestamp,
            scope(stamp),
            Self.hexSHA256(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")
        let key = signingKey(day: stamp.day)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key)
        return Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign,
            signature: Self.hex(mac), signedHeaders: canonicalHeaders.signedNames)
    }

    /// The derived key `HMAC(HMAC(HMAC(HMAC("AWS4"+secret, day), region), service), "aws4_request")`,
    /// derived once per day (and per secret, region and service) and then reused.
    func signingKey(day: String) -> SymmetricKey {
        let scope = SigningKeyCache.Scope(day: day, secret: credentials.secretAccessKey, region: region, service: service)
        if let key = keyCache.key(for: scope) { return key }
        let key = Self.deriveKey(scope)
        keyCache.store(key, for: scope)
        return key
    }

    static func deriveKey(_ scope: SigningKeyCache.Scope) -> SymmetricKey {
        let (day, region, service) = (scope.day, scope.region, scope.service)
        var key = SymmetricKey(data: Array(("AWS4" + scope.secret).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }

    /// The canonical URI of a wire path under this signer's rules.
    public func canonicalURI(_ path: String) -> String {
        var result = path.isEmpty ? "/" : path
        if rules.normalizePath { result = Self.removeDotSegments(result) }
        if rules.doubleURIEncode { result = URIEncoding.encode(result, keepSlash: true) }
        return result
    }

    /// Drops empty and `.` segments and resolves `..`; keeps one leading and (for a
    /// non-empty result) a trailing slash.
    static func removeDotSegments(_ path: String) -> String {
        var segments: [Substring] = []
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for part in parts {
            switch part {
            case "", ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(part)
            }
        }
        guard !segments.isEmpty else { return "/" }
        let trailing = path.hasSuffix("/")
        return "/" + segments.joined(separator: "/") + (trailing ? "/" : "")
    }

    /// Query parameters encoded with RFC 3986 rules and sorted by encoded name, then value.
    public static func canonicalQueryString(_ items: [HTTPRequest.QueryItem]) -> String {
        var pairs: [(name: String, value: String)] = []
        pairs.reserveCapacity(items.count)
        for item in items { pairs.append((URIEncoding.encode(item.name), URIEncoding.encode(item.value))) }
        // Encoded strings are ASCII, so UTF-8 order is byte order as SigV4 requires.
        pairs.sort { left, right in
            if left.name != right.name { return left.name.utf8.lexicographicallyPrecedes(right.name.utf8) }
            return left.value.utf8.lexicographicallyPrecedes(right.value.utf8)
        }
        var output = ""
        for (index, pair) in pairs.enumerated() {
            if index > 0 { output += "&" }
            output += pair.name + "=" + pair.value
        }
        return output
    }

    /// The canonical header block (`name:value\n` per header, sorted, values trimmed and inner
    /// whitespace runs collapsed, repeated names comma-joined in order) and the signed names.
    static func canonicalHeaders(_ headers: HTTPHeaders) -> (block: String, signedNames: String) {
        var entries: [(name: String, position: Int, value: String)] = []
        entries.reserveCapacity(headers.fields.count)
        for (position, field) in headers.fields.enumerated() {
            let name = asciiLowercased(field.name)
            if unsignedHeaders.contains(name) { continue }
            entries.append((name, position, collapseWhitespace(field.value)))
        }
        // By name in byte order; repeated names keep their order of appearance.
        entries.sort { left, right in
            left.name == right.name ? left.position < right.position : left.name.utf8.lexicographicallyPrecedes(right.name.utf8)
        }
        var block = ""
        var names = ""
        block.reserveCapacity(entries.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 })
        var index = 0
        while index < entries.count {
            let name = entries[index].name
            block += name
            block += ":"
            block += entries[index].value
            index += 1
            while index < entries.count && entries[index].name == name {
                block += ","
                block += entries[index].value
                index += 1
            }
            block += "\n"
            if !names.isEmpty { names += ";" }
            names += name
        }
        return (block, names)
    }

    /// ASCII lower-casing (header names are ASCII; no Unicode tables needed).
    static func asciiLowercased(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return text }
        return String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// Trims and collapses runs of spaces, tabs, CR and LF to one space.
    static func collapseWhitespace(_ value: String) -> String {
        var clean = true
        var previousSpace = true // a leading space is not clean
        for byte in value.utf8 {
            if byte == 0x09 || byte == 0x0A || byte == 0x0D || (byte == 0x20 && previousSpace) {
                clean = false
                break
            }
            previousSpace = byte == 0x20
        }
        if clean && !previousSpace || value.isEmpty { return value }
        var output: [UInt8] = []
        output.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for byte in value.utf8 {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace {
                    output.append(0x20)
                    pendingSpace = false
                }
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Lower-case hex SHA-256.
    public static func hexSHA256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    /// Lower-case hex of any byte sequence.
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(64)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Hex of a MAC.
    static func hex(_ mac: HashedAuthenticationCode<SHA256>) -> String { hex(Array(mac)) }
    /// Hex of a digest.
    static func hex(_ digest: SHA256.Digest) -> String { hex(Array(digest)) }
}

/// Holds the most recent derived signing key. A reference type inside the value-type signer
/// so that copies share it; guarded by a mutex, so signing stays thread-safe.
final class SigningKeyCache: Sendable {
    /// What a derived key depends on.
    struct Scope: Equatable, Sendable {
        var day: String
        var secret: String
        var region: String
        var service: String
    }

    private struct Entry: Sendable {
        var scope: Scope
        var key: [UInt8]
    }

    private let entry = Mutex<Entry?>(nil)

    func key(for scope: Scope) -> SymmetricKey? {
        let bytes: [UInt8]? = entry.withLock { $0?.scope == scope ? $0?.key : nil }
        return bytes.map { SymmetricKey(data: $0) }
    }

    func store(_ key: SymmetricKey, for scope: Scope) {
        let stored = Entry(scope: scope, key: key.withUnsafeBytes { Array($0) })
        entry.withLock { $0 = stored }
    }
}
