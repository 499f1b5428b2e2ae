/// Bilinear resizing exactly as dlib's `resize_image(in, out, interpolate_bilinear())` fast
/// paths compute it (`dlib/image_transforms/interpolation.h`): corner-aligned scales
/// `(in − 1) / (out − 1)`, the row position accumulated in double, columns in blocks of four
/// with positions accumulated in float (the SIMD loop) and a scalar tail, weights in float.
/// The detector's image pyramid and `upsample` go through these so that the network sees the
/// same numbers dlib feeds it.
enum DlibBilinear {
    /// Resizes one float plane (`tt::resize_bilinear` on the pyramid tensor).
    static func resizePlane(
        _ src: UnsafePointer<Float>, srcRowStride: Int, srcRows: Int, srcCols: Int,
        _ dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstRows: Int, dstCols: Int
    ) {
        if srcRows == 0 || srcCols == 0 || dstRows == 0 || dstCols == 0 { return }
        forEachSample(srcRows: srcRows, srcCols: srcCols, dstRows: dstRows, dstCols: dstCols) { r, c, top, bottom, left, right, w in
            let t = src + top * srcRowStride
            let b = src + bottom * srcRowStride
            dst[r * dstRowStride + c] = w.combine(t[left], t[right], b[left], b[right])
        }
    }

    /// Resizes an RGB image (dlib's `rgb_pixel` path: results truncated to 8 bits).
    static func resizeRGB(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        var out = RGBImage(width: width, height: height)
        if image.width == 0 || image.height == 0 || width == 0 || height == 0 { return out }
        let sw = image.width
        image.pixels.withUnsafeBufferPointer { s in
            out.pixels.withUnsafeMutableBufferPointer { d in
                forEachSample(srcRows: image.height, srcCols: image.width, dstRows: height, dstCols: width) {
                    r, c, top, bottom, left, right, w in
                    let o = (r * width + c) * 3
                    for ch in 0..<3 {
                        let v = w.combine(
                            Float(s[(top * sw + left) * 3 + ch]), Float(s[(top * sw + right) * 3 + ch]),
                            Float(s[(bottom * sw + left) * 3 + ch]), Float(s[(bottom * sw + right) * 3 + ch]))
                        d[o + ch] = UInt8(clamping: Int(v)) // dlib truncates (cvttps / static_cast)
                    }
                }
            }
        }
        return out
    }

    /// Interpolation weights for one output sample, in the arithmetic of the loop that made it.
    struct Weights {
        let simd: Bool
        let tbFrac: Double
        let lrFrac: Float
        @inline(__always)
        func combine(_ tl: Float, _ tr: Float, _ bl: Float, _ br: Float) -> Float {
            if simd {
                let tbf = Float(tbFrac)
                let itb = Float(1 - tbFrac)
                let ilr = 1 - lrFrac
                let tlf = itb * ilr
                let trf = itb * lrFrac
                let blf = tbf * ilr
                let brf = tbf * lrFrac
                return tlf * tl + trf * tr + blf * bl + brf * br
            }
            let ilr = 1 - lrFrac
            let top = Double(ilr * tl + lrFrac * tr)
            let bottom = Double(ilr * bl + lrFrac * br)
            return Float((1 - tbFrac) * top + tbFrac * bottom)
        }
    }

    /// Walks the output grid as dlib's loops do and hands each sample its source corners and weights.
    @inline(__always)
    private static func forEachSample(
        srcRows: Int, srcCols: Int, dstRows: Int, dstCols: Int,
        _ body: (_ r: Int, _ c: Int, _ top: Int, _ bottom: Int, _ left: Int, _ right: Int, _ w: Weights) -> Void
    ) {
        let xScale = Double(srcCols - 1) / Double(max(dstCols - 1, 1))
        let yScale = Double(srcRows - 1) / Double(max(dstRows - 1, 1))
        var y = -yScale
        for r in 0..<dstRows {
            y += yScale
            let top = Int(y.rounded(.down))
            let bottom = min(top + 1, srcRows - 1)
            let tbFrac = y - Double(top)
            // SIMD part: four float lanes, advanced by 4·xScale (in float) per block.
            let x0 = -4 * xScale
            var lanes: (Float, Float, Float, Float) = (Float(x0), Float(x0 + xScale), Float(x0 + 2 * xScale), Float(x0 + 3 * xScale))
            let step = Float(4 * xScale)
            var c = 0
            while true {
                lanes = (lanes.0 + step, lanes.1 + step, lanes.2 + step, lanes.3 + step)
                if c >= dstCols || Int(lanes.3) + 1 >= srcCols { break }
                @inline(__always) func emit(_ lane: Int, _ lx: Float) {
                    guard c + lane < dstCols else { return }
                    let left = Int(lx)
                    body(r, c + lane, top, bottom, left, left + 1, Weights(simd: true, tbFrac: tbFrac, lrFrac: lx - Float(left)))
                }
                emit(0, lanes.0)
                emit(1, lanes.1)
                emit(2, lanes.2)
                emit(3, lanes.3)
                c += 4
            }
            // Scalar tail.
            var x = -xScale + Double(c) * xScale
            while c < dstCols {
                x += xScale
                let left = Int(x.rounded(.down))
                let right = min(left + 1, srcCols - 1)
                body(r, c, top, bottom, left, right, Weights(simd: false, tbFrac: tbFrac, lrFrac: Float(x - Double(left))))
                c += 1
            }
        }
    }
}
