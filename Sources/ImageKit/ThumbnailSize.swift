/// A requested thumbnail size: `WxH` fits inside the box keeping the aspect ratio (never
/// enlarging), `WxHc` fills exactly `W`x`H` and crops the overflow around a centre point.
public struct ThumbnailSize: Hashable, Sendable, LosslessStringConvertible, Codable {
    /// Box width in pixels.
    public let width: Int
    /// Box height in pixels.
    public let height: Int
    /// True for `WxHc`: the output is exactly the box, cropped.
    public let crop: Bool

    /// The largest box side accepted.
    public static let maxSide = 16384

    /// A size; `nil` when a side is not in `1...maxSide`.
    public init?(width: Int, height: Int, crop: Bool) {
        guard (1...Self.maxSide).contains(width), (1...Self.maxSide).contains(height) else { return nil }
        self.width = width
        self.height = height
        self.crop = crop
    }

    /// Parses `200x200` or `200x200c`.
    public init?(_ description: String) {
        var text = Substring(description)
        var crop = false
        if text.hasSuffix("c") {
            crop = true
            text = text.dropLast()
        }
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) && $0.count <= 6 }),
            let w = Int(parts[0]), let h = Int(parts[1])
        else { return nil }
        self.init(width: w, height: h, crop: crop)
    }

    /// `WxH` or `WxHc`.
    public var description: String { "\(width)x\(height)\(crop ? "c" : "")" }

    /// Where this size samples a displayed image of `imageWidth` x `imageHeight`, and the output
    /// size. `focus` is the crop centre in normalised displayed coordinates.
    public func layout(imageWidth: Int, imageHeight: Int, focus: (x: Double, y: Double) = (0.5, 0.5))
        -> (width: Int, height: Int, rect: SourceRect)
    {
        let iw = Double(imageWidth)
        let ih = Double(imageHeight)
        let full = SourceRect(x: 0, y: 0, width: iw, height: ih)
        if !crop {
            let s = min(Double(width) / iw, Double(height) / ih, 1)
            return (max(1, Int((iw * s).rounded())), max(1, Int((ih * s).rounded())), full)
        }
        let s = max(Double(width) / iw, Double(height) / ih)
        let rw = min(iw, Double(width) / s)
        let rh = min(ih, Double(height) / s)
        let cx = min(max(focus.x, 0), 1) * iw
        let cy = min(max(focus.y, 0), 1) * ih
        let x = min(max(cx - rw / 2, 0), iw - rw)
        let y = min(max(cy - rh / 2, 0), ih - rh)
        return (width, height, SourceRect(x: x, y: y, width: rw, height: rh))
    }
}
