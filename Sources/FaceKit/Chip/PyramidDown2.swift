/// A read-only window onto interleaved RGB pixels (a whole image or dlib's `sub_image`).
struct RGBView {
    let base: UnsafePointer<UInt8>
    let width: Int
    let height: Int
    /// Bytes between the starts of consecutive rows.
    let rowStride: Int

    @inline(__always)
    func offset(_ x: Int, _ y: Int) -> Int { y * rowStride + x * 3 }
}

/// dlib's `pyramid_down<2>` for RGB images: a separable 5-tap `[1 4 6 4 1]` Gaussian,
/// every other row and column kept, integer sums divided by 256 (truncating). The output
/// is `((height - 3) / 2) x ((width - 3) / 2)`, and empty when either side is 8 or less.
enum PyramidDown2 {
    static func apply(_ src: RGBView) -> RGBImage {
        guard src.width > 8, src.height > 8 else { return RGBImage(width: 0, height: 0) }
        let outWidth = (src.width - 3) / 2
        let outHeight = (src.height - 3) / 2
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        let rowLength = outWidth * 3
        // Horizontally filtered rows, kept in a ring of 5 (each output row needs 5 of them).
        var ring = [Int32](repeating: 0, count: 5 * rowLength)
        ring.withUnsafeMutableBufferPointer { ring in
            out.withUnsafeMutableBufferPointer { out in
                var nextRow = 0
                func filterRow(_ r: Int) {
                    let row = src.base + r * src.rowStride
                    let dst = ring.baseAddress! + (r % 5) * rowLength
                    var o = 0
                    for c in 0..<outWidth {
                        for ch in 0..<3 {
                            let p1 = Int32(row[o + ch])
                            let p2 = Int32(row[o + 3 + ch])
                            let p3 = Int32(row[o + 6 + ch])
                            let p4 = Int32(row[o + 9 + ch])
                            let p5 = Int32(row[o + 12 + ch])
                            dst[c * 3 + ch] = p1 + p2 * 4 + p3 * 6 + p4 * 4 + p5
                        }
                        o += 6
                    }
                }
                for dr in 0..<outHeight {
                    let r = 2 + 2 * dr
                    while nextRow <= r + 2 {
                        filterRow(nextRow)
                        nextRow += 1
                    }
                    let t0 = ring.baseAddress! + ((r - 2) % 5) * rowLength
                    let t1 = ring.baseAddress! + ((r - 1) % 5) * rowLength
                    let t2 = ring.baseAddress! + (r % 5) * rowLength
                    let t3 = ring.baseAddress! + ((r + 1) % 5) * rowLength
                    let t4 = ring.baseAddress! + ((r + 2) % 5) * rowLength
                    let d = out.baseAddress! + dr * rowLength
                    for i in 0..<rowLength {
                        let sum = t0[i] + t1[i] * 4 + t2[i] * 6 + t3[i] * 4 + t4[i]
                        d[i] = UInt8(truncatingIfNeeded: sum / 256)
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: out)
    }
}
