/// A face rectangle in dlib's convention: inclusive pixel bounds, not clipped to the image,
/// so `left`/`top` may be negative and `right`/`bottom` may exceed the image.
public struct FaceRect: Sendable, Equatable, Hashable, Codable {
    /// Leftmost column, inclusive.
    public var left: Int
    /// Topmost row, inclusive.
    public var top: Int
    /// Rightmost column, inclusive.
    public var right: Int
    /// Bottom row, inclusive.
    public var bottom: Int

    /// Creates a rectangle from inclusive bounds.
    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    /// Width in pixels (`right - left + 1`), as dlib's `rectangle::width()`.
    public var width: Int { right - left + 1 }
    /// Height in pixels (`bottom - top + 1`), as dlib's `rectangle::height()`.
    public var height: Int { bottom - top + 1 }
    /// Pixel area, 0 for an empty rectangle.
    public var area: Int { width > 0 && height > 0 ? width * height : 0 }

    /// Intersection over union with another rectangle (0 when disjoint).
    public func iou(_ other: FaceRect) -> Double {
        let inter = FaceRect(
            left: max(left, other.left), top: max(top, other.top),
            right: min(right, other.right), bottom: min(bottom, other.bottom)
        ).area
        let union = area + other.area - inter
        return union > 0 ? Double(inter) / Double(union) : 0
    }
}

/// A point in image pixel coordinates (a landmark).
public struct FacePoint: Sendable, Equatable, Hashable, Codable {
    /// Column.
    public var x: Double
    /// Row.
    public var y: Double

    /// Creates a point.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}
