/// One requested thumbnail size: `WxH` fits inside the box, `WxHc` crops to exactly WxH.
public struct ThumbnailSpec: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Largest allowed side, to bound memory whatever the configuration says.
    public static let maxSide = 8192

    /// Box width.
    public var width: Int
    /// Box height.
    public var height: Int
    /// Crop to exactly `width` x `height` (face-aware) instead of fitting inside.
    public var crop: Bool

    /// Creates a spec.
    public init(width: Int, height: Int, crop: Bool) {
        self.width = width
        self.height = height
        self.crop = crop
    }

    /// Parses `WxH` or `WxHc`.
    public init(parsing text: String) throws {
        var body = Substring(text.trimmingSpaces())
        let crop = body.hasSuffix("c")
        if crop { body = body.dropLast() }
        let parts = body.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]),
              (1...Self.maxSide).contains(w), (1...Self.maxSide).contains(h) else {
            throw ConfigurationError(.invalidValue, "thumbnail size '\(text)' must be WxH or WxHc with sides 1...\(Self.maxSide)")
        }
        self.init(width: w, height: h, crop: crop)
    }

    /// Parses a comma list such as `200x200,1024x1024`.
    public static func parseList(_ text: String) throws -> [ThumbnailSpec] {
        let specs = try text.split(separator: ",").map { try ThumbnailSpec(parsing: String($0)) }
        guard !specs.isEmpty else {
            throw ConfigurationError(.invalidValue, "IMAGICON_THUMBNAIL_SIZES lists no size")
        }
        return specs
    }

    /// `WxH` or `WxHc`, the form used in keys (`thumbnails/<spec>/<key>`).
    public var description: String { "\(width)x\(height)\(crop ? "c" : "")" }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
