/// Bilinear resizing exactly as dlib's `resize_image(in, out, interpolate_bilinear())` fast
/// paths compute it (`dlib/image_transforms/interpolation.h`): corner-aligned scales
/// `(in − 1) / (out − 1)`, the row position accumulated in double, columns in blocks of four
/// with positions accumulated in float (the SIMD loop) and a scalar tail, weights in float.
/// The detector's image pyramid and `upsample` go through these so that the network sees the
/// same numbers dlib feeds it.
///
/// dlib's sample positions depend only on the sizes, so ``Grid`` works them out once per resize
/// (per column and per row) and the inner loop only loads, weighs and adds, in dlib's order.
enum DlibBilinear {
    /// Resizes one float plane (`tt::resize_bilinear` on the pyramid tensor).
    static func resizePlane(
        _ src: UnsafePointer<Float>, srcRowStride: Int, srcRows: Int, srcCols: Int,
        _ dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstRows: Int, dstCols: Int
    ) {
        if srcRows == 0 || srcCols == 0 || dstRows == 0 || dstCols == 0 { return }
        let grid = Grid(srcRows: srcRows, srcCols: srcCols, dstRows: dstRows, dstCols: dstCols)
        let split = grid.simdColumns
        grid.left.withUnsafeBufferPointer { left in
            grid.frac.withUnsafeBufferPointer { frac in
                grid.inverseFrac.withUnsafeBufferPointer { ifrac in
                    for r in 0..<dstRows {
                        let row = grid.rows[r]
                        let t = src + row.top * srcRowStride
                        let b = src + row.bottom * srcRowStride
                        let o = dst + r * dstRowStride
                        // dlib's SIMD loop: right = left + 1, weights as products of float row and column weights.
                        // Four output columns at a time, each lane computing exactly what the scalar form would.
                        let tbf = Float(row.frac)
                        let itb = Float(1 - row.frac)
                        let tbf4 = SIMD4<Float>(repeating: tbf)
                        let itb4 = SIMD4<Float>(repeating: itb)
                        var c = 0
                        while c + 4 <= split {
                            let l0 = Int(left[c])
                            let l1 = Int(left[c + 1])
                            let l2 = Int(left[c + 2])
                            let l3 = Int(left[c + 3])
                            let tl = SIMD4(t[l0], t[l1], t[l2], t[l3])
                            let tr = SIMD4(t[l0 + 1], t[l1 + 1], t[l2 + 1], t[l3 + 1])
                            let bl = SIMD4(b[l0], b[l1], b[l2], b[l3])
                            let br = SIMD4(b[l0 + 1], b[l1 + 1], b[l2 + 1], b[l3 + 1])
                            let lr = UnsafeRawPointer(frac.baseAddress! + c).loadUnaligned(as: SIMD4<Float>.self)
                            let ilr = UnsafeRawPointer(ifrac.baseAddress! + c).loadUnaligned(as: SIMD4<Float>.self)
                            let v = (itb4 * ilr) * tl + (itb4 * lr) * tr + (tbf4 * ilr) * bl + (tbf4 * lr) * br
                            UnsafeMutableRawPointer(o + c).storeBytes(of: v, as: SIMD4<Float>.self)
                            c += 4
                        }
                        while c < split {
                            let l = Int(left[c])
                            let lr = frac[c]
                            let ilr = ifrac[c]
                            o[c] = (itb * ilr) * t[l] + (itb * lr) * t[l + 1] + (tbf * ilr) * b[l] + (tbf * lr) * b[l + 1]
                            c += 1
                        }
                        for c in split..<dstCols {
                            let l = Int(left[c])
                            let rr = min(l + 1, srcCols - 1)
                            o[c] = scalarSample(t[l], t[rr], b[l], b[rr], lrFrac: frac[c], tbFrac: row.frac)
                        }
                    }
                }
            }
        }
    }

    /// Resizes an RGB image (dlib's `rgb_pixel` path: results truncated to 8 bits).
    static func resizeRGB(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        var out = RGBImage(width: width, height: height)
        if image.width == 0 || image.height == 0 || width == 0 || height == 0 { return out }
        let sw = image.width
        let grid = Grid(srcRows: image.height, srcCols: image.width, dstRows: height, dstCols: width)
        image.pixels.withUnsafeBufferPointer { s in
            out.pixels.withUnsafeMutableBufferPointer { d in
                for r in 0..<height {
                    let row = grid.rows[r]
                    for c in 0..<width {
                        let left = Int(grid.left[c])
                        let right = min(left + 1, image.width - 1)
                        let lr = grid.frac[c]
                        let o = (r * width + c) * 3
                        for ch in 0..<3 {
                            let tl = Float(s[(row.top * sw + left) * 3 + ch])
                            let tr = Float(s[(row.top * sw + right) * 3 + ch])
                            let bl = Float(s[(row.bottom * sw + left) * 3 + ch])
                            let br = Float(s[(row.bottom * sw + right) * 3 + ch])
                            let v =
                                c < grid.simdColumns
                                ? simdSample(tl, tr, bl, br, lrFrac: lr, tbFrac: row.frac)
                                : scalarSample(tl, tr, bl, br, lrFrac: lr, tbFrac: row.frac)
                            d[o + ch] = UInt8(clamping: Int(v)) // dlib truncates (cvttps / static_cast)
                        }
                    }
                }
            }
        }
        return out
    }

    /// One sample of dlib's SIMD loop: float weights, the row weight from the double position.
    @inline(__always)
    static func simdSample(_ tl: Float, _ tr: Float, _ bl: Float, _ br: Float, lrFrac: Float, tbFrac: Double) -> Float {
        let tbf = Float(tbFrac)
        let itb = Float(1 - tbFrac)
        let ilr = 1 - lrFrac
        return (itb * ilr) * tl + (itb * lrFrac) * tr + (tbf * ilr) * bl + (tbf * lrFrac) * br
    }

    /// One sample of dlib's scalar tail: columns blended in float, rows in double.
    @inline(__always)
    static func scalarSample(_ tl: Float, _ tr: Float, _ bl: Float, _ br: Float, lrFrac: Float, tbFrac: Double) -> Float {
        let ilr = 1 - lrFrac
        let top = Double(ilr * tl + lrFrac * tr)
        let bottom = Double(ilr * bl + lrFrac * br)
        return Float((1 - tbFrac) * top + tbFrac * bottom)
    }

    /// Where dlib's loops sample the source for each output row and column.
    struct Grid {
        /// Per output row: the source rows above and below and the double weight of the lower one.
        struct Row {
            var top: Int
            var bottom: Int
            var frac: Double
        }
        var rows: [Row]
        /// Per output column: the source column on the left (the right one is the next, clamped in the tail).
        var left: [Int32]
        /// Per output column: the float weight of the right column (from the float position in the
        /// SIMD part, from the double position in the tail).
        var frac: [Float]
        /// `1 − frac`, in float.
        var inverseFrac: [Float]
        /// Columns `0..<simdColumns` come from dlib's SIMD loop, the rest from its scalar tail.
        var simdColumns: Int

        init(srcRows: Int, srcCols: Int, dstRows: Int, dstCols: Int) {
            let xScale = Double(srcCols - 1) / Double(max(dstCols - 1, 1))
            let yScale = Double(srcRows - 1) / Double(max(dstRows - 1, 1))
            rows = []
            rows.reserveCapacity(dstRows)
            var y = -yScale
            for _ in 0..<dstRows {
                y += yScale
                let top = Int(y.rounded(.down))
                rows.append(Row(top: top, bottom: min(top + 1, srcRows - 1), frac: y - Double(top)))
            }
            left = []
            frac = []
            left.reserveCapacity(dstCols)
            frac.reserveCapacity(dstCols)
            // SIMD part: four float lanes, advanced by 4·xScale (in float) per block, while the
            // block's last lane still has a right neighbour.
            let x0 = -4 * xScale
            var lanes: (Float, Float, Float, Float) = (Float(x0), Float(x0 + xScale), Float(x0 + 2 * xScale), Float(x0 + 3 * xScale))
            let step = Float(4 * xScale)
            var c = 0
            while true {
                lanes = (lanes.0 + step, lanes.1 + step, lanes.2 + step, lanes.3 + step)
                if c >= dstCols || Int(lanes.3) + 1 >= srcCols { break }
                for lx in [lanes.0, lanes.1, lanes.2, lanes.3] where c < dstCols {
                    let l = Int(lx)
                    left.append(Int32(l))
                    frac.append(lx - Float(l))
                    c += 1
                }
            }
            simdColumns = c
            // Scalar tail, positions in double.
            var x = -xScale + Double(c) * xScale
            while c < dstCols {
                x += xScale
                let l = Int(x.rounded(.down))
                left.append(Int32(l))
                frac.append(Float(x - Double(l)))
                c += 1
            }
            inverseFrac = frac.map { 1 - $0 }
        }
    }
}
