#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A 2-D similarity transform `p -> [[a, -b], [b, a]] * p + (tx, ty)`: scale, rotation and
/// translation, no reflection.
///
/// dlib's `find_similarity_transform` (Umeyama's least-squares fit with the reflection case
/// suppressed) has this closed form in two dimensions, which both the shape predictor (to
/// move feature pixels with the current shape) and the face chip alignment need.
struct SimilarityTransform: Sendable, Equatable {
    /// `scale * cos(angle)`.
    var a: Double
    /// `scale * sin(angle)`.
    var b: Double
    /// Translation, x.
    var tx: Double
    /// Translation, y.
    var ty: Double

    /// The identity transform.
    static let identity = SimilarityTransform(a: 1, b: 0, tx: 0, ty: 0)

    /// Applies the transform as dlib does: `m * p + t`.
    func apply(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        ((a * x + -b * y) + tx, (b * x + a * y) + ty)
    }

    /// The least-squares similarity mapping `from[i]` onto `to[i]` (points as interleaved
    /// `x, y` pairs of equal length). Fewer than two points, or coincident `from` points,
    /// give a pure translation of the means, as dlib does.
    static func fit(from: UnsafeBufferPointer<Double>, to: UnsafeBufferPointer<Double>) -> SimilarityTransform {
        let n = min(from.count, to.count) / 2
        guard n > 0 else { return .identity }
        var mfx = 0.0
        var mfy = 0.0
        var mtx = 0.0
        var mty = 0.0
        for i in 0..<n {
            mfx += from[2 * i]
            mfy += from[2 * i + 1]
            mtx += to[2 * i]
            mty += to[2 * i + 1]
        }
        let count = Double(n)
        mfx /= count
        mfy /= count
        mtx /= count
        mty /= count
        // sigma_from and the cross-covariance cov = mean((to - mt) * (from - mf)^T).
        var sigma = 0.0
        var c00 = 0.0
        var c01 = 0.0
        var c10 = 0.0
        var c11 = 0.0
        for i in 0..<n {
            let fx = from[2 * i] - mfx
            let fy = from[2 * i + 1] - mfy
            let tx = to[2 * i] - mtx
            let ty = to[2 * i + 1] - mty
            sigma += fx * fx + fy * fy
            c00 += tx * fx
            c01 += tx * fy
            c10 += ty * fx
            c11 += ty * fy
        }
        sigma /= count
        c00 /= count
        c01 /= count
        c10 /= count
        c11 /= count
        // The optimal rotation-and-scale for cov is [[a, -b], [b, a]] with a = tr(cov)/sigma and
        // b = (cov10 - cov01)/sigma, which is what the SVD route gives once reflections are excluded.
        let a: Double
        let b: Double
        if sigma != 0 {
            a = (c00 + c11) / sigma
            b = (c10 - c01) / sigma
        } else {
            a = 1
            b = 0
        }
        return SimilarityTransform(a: a, b: b, tx: mtx - (a * mfx - b * mfy), ty: mty - (b * mfx + a * mfy))
    }

    /// Convenience over arrays of interleaved `x, y` pairs.
    static func fit(from: [Double], to: [Double]) -> SimilarityTransform {
        from.withUnsafeBufferPointer { f in to.withUnsafeBufferPointer { t in fit(from: f, to: t) } }
    }
}
