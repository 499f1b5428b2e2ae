#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A validated `search` request (DESIGN.md, "search request and response").
public struct SearchRequest: Sendable, Equatable {
    /// Where one selfie comes from.
    public enum Selfie: Sendable, Equatable {
        /// Image bytes sent in the request.
        case image([UInt8])
        /// The key of an uploaded selfie in `IMAGICON_SOURCE_BUCKET`.
        case key(String)
    }

    /// Limits on what a caller may ask for.
    public struct Limits: Sendable, Equatable {
        /// Largest decoded request body (Function URLs cap requests at 6 MB anyway).
        public var maxBodyBytes = 6 << 20
        /// Most selfies per request.
        public var maxSelfies = 5
        /// Longest album name, in UTF-8 bytes (a DynamoDB partition key is at most 2048 bytes).
        public var maxAlbumBytes = 512
        /// Largest `limit`, and the default.
        public var maxLimit = 1000

        /// The defaults.
        public init() {}
    }

    /// The album to search.
    public var album: String
    /// One or more selfies of the same person.
    public var selfies: [Selfie]
    /// Largest descriptor distance that counts as a match.
    public var threshold: Double
    /// Most matches returned.
    public var limit: Int
    /// Whether to write a ZIP of all matched originals.
    public var zip: Bool

    /// Creates a request; call ``validate(limits:)`` for values from outside.
    public init(album: String, selfies: [Selfie], threshold: Double, limit: Int, zip: Bool) {
        self.album = album
        self.selfies = selfies
        self.threshold = threshold
        self.limit = limit
        self.zip = zip
    }

    /// Parses a Function URL request: a JSON body (`album` with `images` or `keys`) or a raw image
    /// body with `?album=`; `defaultThreshold` is `IMAGICON_FACE_THRESHOLD`.
    public static func parse(_ request: FunctionURLRequest, defaultThreshold: Double, limits: Limits = Limits()) throws -> SearchRequest {
        guard request.method == "POST" else {
            throw SearchError(.badRequest, "Use POST with a JSON body or an image body.")
        }
        guard request.body.count <= limits.maxBodyBytes else {
            throw SearchError(.tooLarge, "The request body is larger than \(limits.maxBodyBytes) bytes.")
        }
        guard !request.body.isEmpty else {
            throw SearchError(.badRequest, "The request body is empty: send a JSON body or a selfie image.")
        }
        let query = request.queryParameters
        let contentType = request.headers["content-type"]?.lowercased() ?? ""
        let looksJSON = contentType.hasPrefix("application/json") || request.body.first.map { $0 == UInt8(ascii: "{") } == true
        let parsed: SearchRequest
        if looksJSON {
            parsed = try parseJSON(request.body, defaultThreshold: defaultThreshold, limits: limits)
        } else {
            guard let album = query["album"] else {
                throw SearchError(.badRequest, "An image body needs the album in the query (?album=...).")
            }
            parsed = SearchRequest(
                album: album, selfies: [.image(request.body)],
                threshold: try query["threshold"].map { try number($0, "threshold") } ?? defaultThreshold,
                limit: try query["limit"].map { try integer($0, "limit") } ?? limits.maxLimit,
                zip: try query["zip"].map { try flag($0) } ?? false)
        }
        try parsed.validate(limits: limits)
        return parsed
    }

    /// Parses the JSON body form.
    static func parseJSON(_ body: [UInt8], defaultThreshold: Double, limits: Limits) throws -> SearchRequest {
        guard case .object(let fields)? = try? JSONValue.parse(body) else {
            throw SearchError(.badRequest, "The body is not a JSON object.")
        }
        let known: Set<String> = ["album", "images", "keys", "threshold", "limit", "zip"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw SearchError(.badRequest, "Unknown field '\(unknown.prefix(64))'.")
        }
        guard case .string(let album)? = fields["album"] else {
            throw SearchError(.badRequest, "'album' must be a string.")
        }
        var selfies: [Selfie] = []
        if let images = fields["images"] {
            guard case .array(let list) = images else { throw SearchError(.badRequest, "'images' must be an array of base64 strings.") }
            guard list.count <= limits.maxSelfies else {
                throw SearchError(.badRequest, "At most \(limits.maxSelfies) selfies per request.")
            }
            for item in list {
                guard case .string(let text) = item else { throw SearchError(.badRequest, "'images' must be an array of base64 strings.") }
                // Line breaks (MIME-style base64) are allowed; anything else outside the alphabet is not.
                let compact = text.contains(where: \.isNewline) ? String(text.filter { !$0.isNewline }) : text
                guard let data = Data(base64Encoded: compact) else {
                    throw SearchError(.badRequest, "An entry of 'images' is not valid base64.")
                }
                selfies.append(.image(Array(data)))
            }
        }
        if let keys = fields["keys"] {
            guard case .array(let list) = keys else { throw SearchError(.badRequest, "'keys' must be an array of strings.") }
            guard list.count <= limits.maxSelfies else {
                throw SearchError(.badRequest, "At most \(limits.maxSelfies) selfies per request.")
            }
            for item in list {
                guard case .string(let key) = item else { throw SearchError(.badRequest, "'keys' must be an array of strings.") }
                selfies.append(.key(key))
            }
        }
        func optionalNumber(_ name: String) throws -> Double? {
            switch fields[name] {
            case nil, .null?: return nil
            case .number(let d)?: return d
            default: throw SearchError(.badRequest, "'\(name)' must be a number.")
            }
        }
        let limit: Int?
        if let d = try optionalNumber("limit") {
            guard d.rounded() == d, abs(d) < 1e9 else { throw SearchError(.badRequest, "'limit' must be a whole number.") }
            limit = Int(d)
        } else {
            limit = nil
        }
        let zip: Bool
        switch fields["zip"] {
        case nil, .null?: zip = false
        case .bool(let b)?: zip = b
        default: throw SearchError(.badRequest, "'zip' must be true or false.")
        }
        return SearchRequest(
            album: album, selfies: selfies, threshold: try optionalNumber("threshold") ?? defaultThreshold,
            limit: limit ?? limits.maxLimit, zip: zip)
    }

    /// Checks every field against the contract and `limits`.
    public func validate(limits: Limits = Limits()) throws {
        try Self.validateAlbum(album, maxBytes: limits.maxAlbumBytes)
        guard !selfies.isEmpty else { throw SearchError(.badRequest, "Send at least one selfie ('images' or 'keys').") }
        guard selfies.count <= limits.maxSelfies else {
            throw SearchError(.badRequest, "At most \(limits.maxSelfies) selfies per request.")
        }
        for selfie in selfies {
            switch selfie {
            case .image(let bytes):
                guard !bytes.isEmpty else { throw SearchError(.notAnImage, "A selfie is empty.") }
            case .key(let key):
                guard !key.isEmpty, key.utf8.count <= 1024, !key.unicodeScalars.contains(where: Self.isControl) else {
                    throw SearchError(.badRequest, "A selfie key must be 1...1024 bytes without control characters.")
                }
            }
        }
        guard threshold.isFinite, threshold > 0, threshold < 2 else {
            throw SearchError(.badRequest, "'threshold' must be a number in (0, 2).")
        }
        guard (1...limits.maxLimit).contains(limit) else {
            throw SearchError(.badRequest, "'limit' must be 1...\(limits.maxLimit).")
        }
    }

    /// Album names: at most `maxBytes` of UTF-8, no control characters, no leading or trailing `/` (an
    /// album is a key's parent path, so it never has them). `""` is the album of top-level keys.
    public static func validateAlbum(_ album: String, maxBytes: Int = Limits().maxAlbumBytes) throws {
        guard album.utf8.count <= maxBytes else {
            throw SearchError(.badRequest, "The album name is longer than \(maxBytes) bytes.")
        }
        guard !album.unicodeScalars.contains(where: isControl) else {
            throw SearchError(.badRequest, "The album name contains control characters.")
        }
        guard !album.hasPrefix("/"), !album.hasSuffix("/") else {
            throw SearchError(.badRequest, "The album name must not start or end with '/'.")
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    static func number(_ text: String, _ name: String) throws -> Double {
        guard let d = Double(text) else { throw SearchError(.badRequest, "'\(name)' must be a number.") }
        return d
    }

    static func integer(_ text: String, _ name: String) throws -> Int {
        guard let i = Int(text) else { throw SearchError(.badRequest, "'\(name)' must be a whole number.") }
        return i
    }

    static func flag(_ text: String) throws -> Bool {
        switch text.lowercased() {
        case "true", "1", "": return true
        case "false", "0": return false
        default: throw SearchError(.badRequest, "'zip' must be true or false.")
        }
    }
}
