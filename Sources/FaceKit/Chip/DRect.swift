/// A floating point rectangle in dlib's `drectangle` convention: inclusive bounds, so
/// `width = right - left + 1`, empty when `left > right` or `top > bottom`.
struct DRect: Sendable, Equatable {
    var left: Double, top: Double, right: Double, bottom: Double

    /// dlib's default (empty) `drectangle`.
    static let empty = DRect(left: 0, top: 0, right: -1, bottom: -1)

    var isEmpty: Bool { top > bottom || left > right }
    var width: Double { isEmpty ? 0 : right - left + 1 }
    var height: Double { isEmpty ? 0 : bottom - top + 1 }
    var area: Double { width * height }
    /// `center(rect)`: the midpoint of the corners.
    var center: (x: Double, y: Double) { ((left + right) / 2, (top + bottom) / 2) }

    /// dlib's `rect + point` union (a point is a one-point rectangle).
    func including(_ x: Double, _ y: Double) -> DRect {
        if isEmpty { return DRect(left: x, top: y, right: x, bottom: y) }
        return DRect(left: min(left, x), top: min(top, y), right: max(right, x), bottom: max(bottom, y))
    }

    func intersection(_ o: DRect) -> DRect {
        DRect(left: max(left, o.left), top: max(top, o.top), right: min(right, o.right), bottom: min(bottom, o.bottom))
    }

    func grown(by d: Double) -> DRect { DRect(left: left - d, top: top - d, right: right + d, bottom: bottom + d) }

    func translated(_ dx: Double, _ dy: Double) -> DRect {
        DRect(left: left + dx, top: top + dy, right: right + dx, bottom: bottom + dy)
    }

    /// `pyramid_down<2>::rect_down`: both corners mapped by `p / 2 - (1.25, 0.75)`.
    func pyramidDown() -> DRect {
        DRect(left: left / 2 - 1.25, top: top / 2 - 0.75, right: right / 2 - 1.25, bottom: bottom / 2 - 0.75)
    }

    /// `centered_drect(p, w, h)`.
    static func centered(_ x: Double, _ y: Double, width: Double, height: Double) -> DRect {
        let w = width - 1
        let h = height - 1
        return DRect(left: x - w / 2, top: y - h / 2, right: x + w / 2, bottom: y + h / 2)
    }
}
