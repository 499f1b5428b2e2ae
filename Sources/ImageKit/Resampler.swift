import Foundation

/// A rectangle in source pixel coordinates (fractional), the part of an image to resample.
public struct SourceRect: Sendable, Equatable {
    /// Left edge.
    public var x: Double
    /// Top edge.
    public var y: Double
    /// Width.
    public var width: Double
    /// Height.
    public var height: Double

    /// A rectangle.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// The Lanczos-3 kernel.
@inline(__always)
func lanczos3(_ x: Double) -> Double {
    let ax = abs(x)
    if ax < 1e-9 { return 1 }
    if ax >= 3 { return 0 }
    let px = Double.pi * x
    return 3 * sin(px) * sin(px / 3) / (px * px)
}

/// Precomputed Lanczos-3 weights for one axis: for each output sample, the first input sample
/// and `taps` normalised weights (zero-padded), so the inner loops have no branches.
///
/// The geometry is the usual centre-aligned one (output pixel `i` samples the source at
/// `offset + (i + 0.5) * scale`), the kernel is widened by the reduction factor when shrinking
/// (so it low-passes before sampling), and the window is clipped to the image with the
/// weights renormalised: edges are neither darkened nor mirrored.
struct ResampleAxis {
    let outSize: Int
    let taps: Int
    let starts: [Int]
    let weights: [Float]
    /// First and one-past-last input sample any output reads.
    let inputRange: Range<Int>

    init(inSize: Int, outSize: Int, offset: Double, length: Double) {
        let scale = length / Double(outSize)
        let filterScale = max(scale, 1)
        let support = 3 * filterScale
        let taps = max(1, Int((support * 2).rounded(.up)) + 1)
        var starts = [Int](repeating: 0, count: outSize)
        var weights = [Float](repeating: 0, count: outSize * taps)
        var lo = Int.max, hi = 0
        var w = [Double](repeating: 0, count: taps)
        for i in 0..<outSize {
            let center = offset + (Double(i) + 0.5) * scale
            var first = max(Int((center - support + 0.5).rounded(.down)), 0)
            var last = min(Int((center + support + 0.5).rounded(.down)), inSize)
            if last <= first {  // the window fell outside the image: use the nearest edge pixel
                first = min(max(Int(center), 0), inSize - 1)
                last = first + 1
            }
            let count = min(last - first, taps)
            var total = 0.0
            for k in 0..<count {
                w[k] = lanczos3((Double(first + k) - center + 0.5) / filterScale)
                total += w[k]
            }
            if total == 0 { w[0] = 1; total = 1 }
            starts[i] = first
            for k in 0..<count { weights[i * taps + k] = Float(w[k] / total) }
            lo = min(lo, first)
            hi = max(hi, first + count)
        }
        self.outSize = outSize
        self.taps = taps
        self.starts = starts
        self.weights = weights
        self.inputRange = lo..<hi
    }
}

/// High-quality separable Lanczos-3 resampling of `PixelBuffer`s.
///
/// Horizontal pass then vertical pass, in single-precision float with 4-wide SIMD pixels;
/// alpha is premultiplied before filtering and divided out after, so transparent neighbours
/// cannot bleed dark fringes into edges.
public enum Resampler {
    /// Resamples `source` (or the part of it in `rect`) to exactly `width` x `height`.
    public static func resize(_ source: PixelBuffer, width: Int, height: Int, rect: SourceRect? = nil) throws -> PixelBuffer {
        guard width > 0, height > 0, width <= 1 << 16, height <= 1 << 16 else {
            throw ImageError(.invalidArgument, "Output size \(width)x\(height) is out of range.")
        }
        let r = rect ?? SourceRect(x: 0, y: 0, width: Double(source.width), height: Double(source.height))
        guard r.width > 0, r.height > 0, r.x >= -1e-6, r.y >= -1e-6,
              r.x + r.width <= Double(source.width) + 1e-6, r.y + r.height <= Double(source.height) + 1e-6 else {
            throw ImageError(.invalidArgument, "Source rectangle is outside the \(source.width)x\(source.height) image.")
        }
        let hAxis = ResampleAxis(inSize: source.width, outSize: width, offset: r.x, length: r.width)
        let vAxis = ResampleAxis(inSize: source.height, outSize: height, offset: r.y, length: r.height)
        return resample(source, h: hAxis, v: vAxis)
    }

    static func resample(_ src: PixelBuffer, h: ResampleAxis, v: ResampleAxis) -> PixelBuffer {
        let ch = src.channels
        let alpha = ch == 4
        let outW = h.outSize, outH = v.outSize
        let rows = v.inputRange
        let cols = h.inputRange
        // Horizontal pass over only the rows the vertical pass will read.
        var tmp = [SIMD4<Float>](repeating: .zero, count: outW * rows.count)
        var line = [SIMD4<Float>](repeating: .zero, count: src.width)
        src.pixels.withUnsafeBufferPointer { px in
            h.starts.withUnsafeBufferPointer { starts in
                h.weights.withUnsafeBufferPointer { weights in
                    line.withUnsafeMutableBufferPointer { line in
                        tmp.withUnsafeMutableBufferPointer { tmp in
                            let taps = h.taps
                            for y in rows {
                                let rowBase = y * src.width * ch
                                if alpha {
                                    for x in cols {
                                        let p = rowBase + x * 4
                                        let a = Float(px[p + 3])
                                        let f = a * (1 / 255)
                                        line[x] = SIMD4(Float(px[p]) * f, Float(px[p + 1]) * f, Float(px[p + 2]) * f, a)
                                    }
                                } else {
                                    for x in cols {
                                        let p = rowBase + x * 3
                                        line[x] = SIMD4(Float(px[p]), Float(px[p + 1]), Float(px[p + 2]), 0)
                                    }
                                }
                                let outBase = (y - rows.lowerBound) * outW
                                for xo in 0..<outW {
                                    let s = starts[xo]
                                    let wb = xo * taps
                                    var acc = SIMD4<Float>.zero
                                    let n = min(taps, src.width - s)
                                    for k in 0..<n { acc += line[s + k] * weights[wb + k] }
                                    tmp[outBase + xo] = acc
                                }
                            }
                        }
                    }
                }
            }
        }
        // Vertical pass: whole rows at a time, contiguous and vectorisable.
        var out = [UInt8](repeating: 0, count: outW * outH * ch)
        var acc = [SIMD4<Float>](repeating: .zero, count: outW)
        tmp.withUnsafeBufferPointer { tmp in
            v.starts.withUnsafeBufferPointer { starts in
                v.weights.withUnsafeBufferPointer { weights in
                    acc.withUnsafeMutableBufferPointer { acc in
                        out.withUnsafeMutableBufferPointer { out in
                            let taps = v.taps
                            for yo in 0..<outH {
                                let s = starts[yo] - rows.lowerBound
                                let n = min(taps, rows.count - s)
                                let w0 = weights[yo * taps]
                                var base = s * outW
                                for x in 0..<outW { acc[x] = tmp[base + x] * w0 }
                                for k in 1..<max(n, 1) {
                                    let wk = weights[yo * taps + k]
                                    base = (s + k) * outW
                                    for x in 0..<outW { acc[x] += tmp[base + x] * wk }
                                }
                                let o = yo * outW * ch
                                if alpha {
                                    for x in 0..<outW {
                                        let p = acc[x]
                                        let a = min(max(p.w, 0), 255)
                                        let q = o + x * 4
                                        out[q + 3] = UInt8(a + 0.5)
                                        if a > 0 {
                                            let c = p * (255 / a)
                                            out[q] = UInt8(min(max(c.x, 0), 255) + 0.5)
                                            out[q + 1] = UInt8(min(max(c.y, 0), 255) + 0.5)
                                            out[q + 2] = UInt8(min(max(c.z, 0), 255) + 0.5)
                                        }
                                    }
                                } else {
                                    for x in 0..<outW {
                                        let c = acc[x].clamped(lowerBound: .zero, upperBound: SIMD4(repeating: 255)) + 0.5
                                        let q = o + x * 3
                                        out[q] = UInt8(c.x)
                                        out[q + 1] = UInt8(c.y)
                                        out[q + 2] = UInt8(c.z)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return PixelBuffer(uncheckedWidth: outW, height: outH, channels: ch, pixels: out)
    }
}
