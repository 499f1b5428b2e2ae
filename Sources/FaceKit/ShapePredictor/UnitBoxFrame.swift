/// dlib's `unnormalizing_tform(rect)`: the affine map taking (0,0) to the rectangle's top-left
/// corner and (1,1) to its bottom-right corner (inclusive corners, so the scale is
/// `right - left`, not the width).
struct UnitBoxFrame: Sendable {
    let left: Double, top: Double, sx: Double, sy: Double

    init(_ rect: FaceRect) {
        left = Double(rect.left)
        top = Double(rect.top)
        sx = Double(rect.right) - Double(rect.left)
        sy = Double(rect.bottom) - Double(rect.top)
    }

    @inline(__always)
    func toImage(_ x: Float, _ y: Float) -> (x: Double, y: Double) {
        (sx * Double(x) + left, sy * Double(y) + top)
    }
}
