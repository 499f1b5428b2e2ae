import AWSCore
import ImageKit

/// A validated conversion request: `GET /<key>?w=&h=&fit=inside|cover|smart&format=jpeg|png|webp&q=`.
///
/// - `w`, `h`: the box in pixels, each `1...maxSide`. Both: see `fit`. One alone: the other
///   follows the aspect ratio (and `fit` does not matter). Neither: the source size (a pure
///   format conversion). The result is never enlarged beyond the source, except that `cover`
///   and `smart` always answer exactly `w`x`h`.
/// - `fit`: `inside` (default) fits in the box; `cover` fills it exactly, cropping centred;
///   `smart` fills it cropping around the detected faces.
/// - `format`: `jpeg` (or `jpg`), `png`, `webp`; default the source's format.
/// - `q`: quality `1...100` for JPEG and WebP (default 85); refused with `format=png`.
///
/// Unknown, repeated or empty parameters are refused: a typo must not silently cost a
/// full-size conversion.
public struct ConvertRequest: Sendable, Equatable {
    /// How the image is fitted to a `w`x`h` box.
    public enum Fit: String, Sendable, CaseIterable {
        /// Fit inside the box keeping the aspect ratio, never enlarging.
        case inside
        /// Fill the box exactly, cropping the overflow around the centre.
        case cover
        /// Fill the box exactly, cropping around the detected faces (else the centre).
        case smart
    }

    /// The largest `w` or `h`.
    public static let maxSide = 4096
    /// The most pixels an output may have (also bounds requests without `w`/`h`).
    public static let maxOutputPixels = 4096 * 4096
    /// Quality when `q` is absent.
    public static let defaultQuality = 85
    /// The parameter names understood.
    public static let parameterNames: Set<String> = ["w", "h", "fit", "format", "q"]

    /// The source object's key.
    public var key: String
    /// `w`.
    public var width: Int?
    /// `h`.
    public var height: Int?
    /// `fit`, as it applies: `inside` whenever one of `w`/`h` is missing.
    public var fit: Fit
    /// `format`; nil: the source's format.
    public var format: ImageFormat?
    /// `q` (or the default).
    public var quality: Int

    /// Creates a request from already valid values.
    public init(
        key: String, width: Int? = nil, height: Int? = nil, fit: Fit = .inside, format: ImageFormat? = nil,
        quality: Int = ConvertRequest.defaultQuality
    ) {
        self.key = key
        self.width = width
        self.height = height
        self.fit = (width == nil || height == nil) ? .inside : fit
        self.format = format
        self.quality = quality
    }

    /// Parses and validates a Function URL path and query string; throws a 400/403 ``ConvertError``.
    public static func parse(rawPath: String, rawQueryString: String) throws(ConvertError) -> ConvertRequest {
        let key = try ConvertKey.decode(rawPath: rawPath)
        guard rawQueryString.utf8.count <= 512 else { throw ConvertError.badRequest("The query string is too long.") }
        var values: [String: String] = [:]
        for pair in rawQueryString.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = URIEncoding.decode(parts[0], plusIsSpace: true),
                let value = parts.count > 1 ? URIEncoding.decode(parts[1], plusIsSpace: true) : ""
            else {
                throw ConvertError.badRequest("The query string has a bad percent escape.")
            }
            guard parameterNames.contains(name) else {
                throw ConvertError.badRequest("Unknown parameter '\(name.prefix(40))'; use w, h, fit, format, q.")
            }
            guard values[name] == nil else { throw ConvertError.badRequest("Parameter '\(name)' is given more than once.") }
            guard !value.isEmpty else { throw ConvertError.badRequest("Parameter '\(name)' has no value.") }
            values[name] = value
        }

        func integer(_ name: String, _ range: ClosedRange<Int>) throws(ConvertError) -> Int? {
            guard let text = values[name] else { return nil }
            guard text.utf8.count <= 6, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let n = Int(text), range.contains(n)
            else {
                throw ConvertError.badRequest("Parameter '\(name)' must be an integer in \(range.lowerBound)...\(range.upperBound).")
            }
            return n
        }
        let width = try integer("w", 1...maxSide)
        let height = try integer("h", 1...maxSide)
        let quality = try integer("q", 1...100)

        var fit = Fit.inside
        if let text = values["fit"] {
            guard let f = Fit(rawValue: text) else {
                throw ConvertError.badRequest("Parameter 'fit' must be inside, cover or smart.")
            }
            fit = f
        }
        var format: ImageFormat?
        if let text = values["format"] {
            switch text {
            case "jpeg", "jpg": format = .jpeg
            case "png": format = .png
            case "webp": format = .webp
            default: throw ConvertError.badRequest("Parameter 'format' must be jpeg, png or webp.")
            }
        }
        if format == .png, quality != nil {
            throw ConvertError.badRequest("Parameter 'q' applies to jpeg and webp only; PNG is lossless.")
        }
        return ConvertRequest(
            key: key, width: width, height: height, fit: fit, format: format,
            quality: quality ?? defaultQuality)
    }

    /// The parameters in one canonical form (defaults filled in, fixed order), so equivalent
    /// URLs share one ETag: `w=800&h=-&fit=inside&format=webp&q=85`.
    public var normalizedParameters: String {
        let q = format == .png ? "-" : String(quality)
        return "w=\(width.map(String.init) ?? "-")&h=\(height.map(String.init) ?? "-")&fit=\(fit.rawValue)"
            + "&format=\(format?.rawValue ?? "source")&q=\(q)"
    }

    /// The thumbnail box for a displayed source of `imageWidth` x `imageHeight`: its `layout`
    /// gives the output size and source rectangle.
    public func box(imageWidth: Int, imageHeight: Int) -> ThumbnailSize {
        let iw = max(1, imageWidth)
        let ih = max(1, imageHeight)
        let side = ThumbnailSize.maxSide
        func clamp(_ v: Int) -> Int { min(max(v, 1), side) }
        let w: Int
        let h: Int
        switch (width, height) {
        case (let w0?, let h0?):
            w = clamp(w0)
            h = clamp(h0)
        case (let w0?, nil):
            // Round the derived side up so the given one is the binding constraint.
            w = clamp(w0)
            h = clamp(Int((Double(w0) * Double(ih) / Double(iw)).rounded(.up)))
        case (nil, let h0?):
            h = clamp(h0)
            w = clamp(Int((Double(h0) * Double(iw) / Double(ih)).rounded(.up)))
        case (nil, nil):
            w = clamp(iw)
            h = clamp(ih)
        }
        return ThumbnailSize(width: w, height: h, crop: fit != .inside)!
    }
}
