#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

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
        var from: [Double] = []
        var to: [Double] = []
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
        left = r.left
        top = r.top
        right = r.right
        bottom = r.bottom
        self.rows = rows
        self.columns = columns
    }
}
