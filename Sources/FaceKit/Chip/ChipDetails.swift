import Foundation

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
        let w = width - 1, h = height - 1
        return DRect(left: x - w / 2, top: y - h / 2, right: x + w / 2, bottom: y + h / 2)
    }
}

/// Where and how to cut a face chip, as dlib's `chip_details`: a rectangle in the image
/// (centre and size of the chip's footprint), a rotation about its centre, and the chip size.
public struct FaceChipDetails: Sendable, Equatable {
    /// Chip footprint in image coordinates (inclusive floating bounds), before rotation.
    public var left: Double, top: Double, right: Double, bottom: Double
    /// Rotation of the footprint about its centre, radians.
    public var angle: Double
    /// Output rows.
    public var rows: Int
    /// Output columns.
    public var columns: Int

    var rect: DRect { DRect(left: left, top: top, right: right, bottom: bottom) }

    /// dlib's 5-point mean face (eye corners and nose base) in the unit square, in the model's
    /// landmark order.
    static let meanFace5: [(x: Double, y: Double)] = [
        (0.8595674595992, 0.2134981538014),
        (0.6460604764104, 0.2289674387677),
        (0.1205750620789, 0.2137274526848),
        (0.3340850613712, 0.2290642403242),
        (0.4901123135679, 0.6277975316475),
    ]

    /// `get_face_chip_details(shape, size, padding)` for a 5-point shape: the similarity that
    /// best maps the padded mean face onto the landmarks (rounded to whole pixels first, as
    /// dlib's `full_object_detection` holds them) defines the footprint and the angle.
    /// Returns `nil` unless there are exactly 5 finite landmarks, `size > 0` and `padding >= 0`.
    public static func face(landmarks: [FacePoint], size: Int = 150, padding: Double = 0.25) -> FaceChipDetails? {
        guard landmarks.count == 5, size > 0, size <= FaceChip.maximumSide, padding >= 0, padding.isFinite,
              landmarks.allSatisfy({ $0.x.isFinite && $0.y.isFinite && abs($0.x) < 1e12 && abs($0.y) < 1e12 })
        else { return nil }
        var from: [Double] = [], to: [Double] = []
        let s = Double(size)
        for (i, p) in meanFace5.enumerated() {
            from.append((padding + p.x) / (2 * padding + 1) * s)
            from.append((padding + p.y) / (2 * padding + 1) * s)
            to.append(ShapePredictor.roundLikeDlib(landmarks[i].x))
            to.append(ShapePredictor.roundLikeDlib(landmarks[i].y))
        }
        return FaceChipDetails(chipPoints: from, imagePoints: to, rows: size, columns: size)
    }

    /// dlib's `chip_details(chip_points, img_points, dims)`.
    init(chipPoints: [Double], imagePoints: [Double], rows: Int, columns: Int) {
        let tform = SimilarityTransform.fit(from: chipPoints, to: imagePoints)
        // m * (1, 0) = (a, b): its angle and length are the rotation and scale.
        angle = atan2(tform.b, tform.a)
        let scale = (tform.a * tform.a + tform.b * tform.b).squareRoot()
        let c = tform.apply(Double(columns) / 2, Double(rows) / 2)
        let r = DRect.centered(c.x, c.y, width: Double(columns) * scale, height: Double(rows) * scale)
        left = r.left; top = r.top; right = r.right; bottom = r.bottom
        self.rows = rows
        self.columns = columns
    }
}
