import CKernels

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

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

/// The Lanczos-3 kernel (public so the exact reference resize in Benchmarks/ImageQuality uses the same one).
@inline(__always)
public func lanczos3(_ x: Double) -> Double {
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
    let starts: [Int32]
    let weights: [Float]
    /// First and one-past-last input sample any output reads.
    let inputRange: Range<Int>

    init(inSize: Int, outSize: Int, offset: Double, length: Double) {
        let scale = length / Double(outSize)
        let filterScale = max(scale, 1)
        let support = 3 * filterScale
        let taps = max(1, Int((support * 2).rounded(.up)) + 1)
        var starts = [Int32](repeating: 0, count: outSize)
        var weights = [Float](repeating: 0, count: outSize * taps)
        var lo = Int.max
        var hi = 0
        var w = [Double](repeating: 0, count: taps)
        for i in 0..<outSize {
            let center = offset + (Double(i) + 0.5) * scale
            var first = max(Int((center - support + 0.5).rounded(.down)), 0)
            var last = min(Int((center + support + 0.5).rounded(.down)), inSize)
            if last <= first { // the window fell outside the image: use the nearest edge pixel
                first = min(max(Int(center), 0), inSize - 1)
                last = first + 1
            }
            let count = min(last - first, taps)
            var total = 0.0
            for k in 0..<count {
                w[k] = lanczos3((Double(first + k) - center + 0.5) / filterScale)
                total += w[k]
            }
            if total == 0 {
                w[0] = 1
                total = 1
            }
            starts[i] = Int32(first)
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

    /// The axis as CKernels takes it, valid inside `body`.
    func withAxis<R>(_ body: (UnsafePointer<ck_lanczos_axis>) -> R) -> R {
        starts.withUnsafeBufferPointer { s in
            weights.withUnsafeBufferPointer { w in
                var axis = ck_lanczos_axis(
                    outSize: Int32(outSize), taps: Int32(taps), inLo: Int32(inputRange.lowerBound), inHi: Int32(inputRange.upperBound),
                    starts: s.baseAddress, weights: w.baseAddress)
                return withUnsafePointer(to: &axis) { body($0) }
            }
        }
    }
}

/// High-quality separable Lanczos-3 resampling of `PixelBuffer`s.
///
/// For large reductions the image is first box-averaged by an integer factor that leaves at
/// least a 2x reduction for Lanczos (the "reducing gap" of Pillow and libvips), 4x for small
/// outputs: box averaging is cheap but not a clean low-pass, and where the Lanczos passes are
/// cheap anyway (small outputs) the larger gap keeps the result near the exact resize. The Lanczos
/// passes (CKernels, AVX2/AVX-512 chosen at run time) run vertical first, streaming input rows
/// through a ring buffer (no full-size intermediate), then horizontal, a group of output rows at a
/// time with one row per vector lane, so every build rounds alike. Output rows are split across
/// cores. Alpha is premultiplied throughout, so transparent neighbours cannot bleed dark fringes
/// into edges.
public enum Resampler {
    /// The smallest reduction left to Lanczos after box pre-reduction, by output size.
    ///
    /// Measured on a 12 MP photo DCT-decoded at 1/2 (PSNR against the exact double-precision
    /// Lanczos-3 resize, lossless output): 200 px with gap 2 (box 5) 46.5 dB, with gap 4
    /// (box 2) 57.7 dB, for a few milliseconds more. A 1024 px output from a 24 MP buffer would
    /// pay ~35-tap Lanczos over every input row with gap 4, so larger outputs keep gap 2.
    static func reducingGap(outputWidth: Int, outputHeight: Int) -> Double {
        max(outputWidth, outputHeight) <= 512 ? 4 : 2
    }

    /// Resamples `source` (or the part of it in `rect`) to exactly `width` x `height`.
    public static func resize(_ source: PixelBuffer, width: Int, height: Int, rect: SourceRect? = nil) throws -> PixelBuffer {
        guard width > 0, height > 0, width <= 1 << 16, height <= 1 << 16 else {
            throw ImageError(.invalidArgument, "Output size \(width)x\(height) is out of range.")
        }
        var r = rect ?? SourceRect(x: 0, y: 0, width: Double(source.width), height: Double(source.height))
        guard r.width > 0, r.height > 0, r.x >= -1e-6, r.y >= -1e-6,
            r.x + r.width <= Double(source.width) + 1e-6, r.y + r.height <= Double(source.height) + 1e-6
        else {
            throw ImageError(.invalidArgument, "Source rectangle is outside the \(source.width)x\(source.height) image.")
        }
        // 1:1 on whole pixels (a photo already within the requested size): Lanczos-3 at scale 1
        // on pixel centres is the identity, so copy the pixels.
        if Double(width) == r.width, Double(height) == r.height, r.x == r.x.rounded(), r.y == r.y.rounded() {
            return crop(source, x: Int(r.x), y: Int(r.y), width: width, height: height)
        }
        var src = source
        let gap = reducingGap(outputWidth: width, outputHeight: height)
        let kx = max(1, Int(r.width / Double(width) / gap))
        let ky = max(1, Int(r.height / Double(height) / gap))
        if kx > 1 || ky > 1 {
            // Box-reduce only the blocks that cover the rectangle.
            let bx0 = max(0, Int(r.x) / kx)
            let by0 = max(0, Int(r.y) / ky)
            let bx1 = min((source.width + kx - 1) / kx, Int((r.x + r.width).rounded(.up)) / kx + 1)
            let by1 = min((source.height + ky - 1) / ky, Int((r.y + r.height).rounded(.up)) / ky + 1)
            src = boxReduce(source, kx: kx, ky: ky, blocks: bx0..<bx1, rows: by0..<by1)
            r = SourceRect(
                x: r.x / Double(kx) - Double(bx0), y: r.y / Double(ky) - Double(by0),
                width: r.width / Double(kx), height: r.height / Double(ky))
            r.width = min(r.width, Double(src.width) - max(r.x, 0))
            r.height = min(r.height, Double(src.height) - max(r.y, 0))
            r.x = max(r.x, 0)
            r.y = max(r.y, 0)
        }
        let hAxis = ResampleAxis(inSize: src.width, outSize: width, offset: r.x, length: r.width)
        let vAxis = ResampleAxis(inSize: src.height, outSize: height, offset: r.y, length: r.height)
        return lanczos(src, h: hAxis, v: vAxis)
    }

    /// The `width` x `height` pixels at (`x`, `y`), copied (the whole buffer when it is all of it).
    static func crop(_ source: PixelBuffer, x: Int, y: Int, width: Int, height: Int) -> PixelBuffer {
        if x == 0, y == 0, width == source.width, height == source.height { return source }
        let ch = source.channels
        let rowBytes = width * ch
        var out = [UInt8](repeating: 0, count: height * rowBytes)
        source.pixels.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                for row in 0..<height {
                    let from = ((y + row) * source.width + x) * ch
                    (d.baseAddress! + row * rowBytes).update(from: s.baseAddress! + from, count: rowBytes)
                }
            }
        }
        return PixelBuffer(uncheckedWidth: width, height: height, channels: ch, pixels: out)
    }

    /// Averages `kx` x `ky` blocks (partial blocks at the right and bottom edges average what
    /// they hold), alpha-weighted for RGBA, for block columns `blocks` and block rows `rows`.
    static func boxReduce(_ src: PixelBuffer, kx: Int, ky: Int, blocks: Range<Int>, rows: Range<Int>) -> PixelBuffer {
        let ch = src.channels
        let outW = blocks.count
        let outH = rows.count
        var out = [UInt8](repeating: 0, count: outW * outH * ch)
        let x0 = blocks.lowerBound * kx
        let x1 = min(src.width, blocks.upperBound * kx)
        let span = (x1 - x0) * ch
        var sums = [UInt32](repeating: 0, count: ch == 4 ? 0 : span)
        // RGBA sums are alpha-weighted (up to 255 · 255 a pixel), so a block of over 66k pixels
        // (a tiny output of a large image) would wrap 32 bits: they are kept in 64.
        var weighted = [UInt64](repeating: 0, count: ch == 4 ? span : 0)
        src.pixels.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { out in
                sums.withUnsafeMutableBufferPointer { sums in
                    weighted.withUnsafeMutableBufferPointer { weighted in
                        var divisor = Divisor(1) // a block's pixel count changes only at the edges
                        for (oy, by) in rows.enumerated() {
                            let y0 = by * ky
                            let y1 = min(src.height, y0 + ky)
                            if ch == 4 {
                                for i in 0..<span { weighted[i] = 0 }
                            } else {
                                for i in 0..<span { sums[i] = 0 }
                            }
                            for y in y0..<y1 {
                                let p = px.baseAddress! + (y * src.width + x0) * ch
                                // Pointers, not indices: no overflow checks, so the compiler vectorises.
                                if ch == 4 {
                                    // Premultiply so transparent pixels carry no colour into the average.
                                    let s = weighted.baseAddress!
                                    for i in 0..<(span / 4) {
                                        let a = UInt64(p[4 &* i &+ 3])
                                        s[4 &* i] &+= UInt64(p[4 &* i]) &* a
                                        s[4 &* i &+ 1] &+= UInt64(p[4 &* i &+ 1]) &* a
                                        s[4 &* i &+ 2] &+= UInt64(p[4 &* i &+ 2]) &* a
                                        s[4 &* i &+ 3] &+= a
                                    }
                                } else {
                                    let s = sums.baseAddress!
                                    for i in 0..<span { s[i] &+= UInt32(p[i]) }
                                }
                            }
                            for ox in 0..<outW {
                                let xs = ox * kx
                                let xe = min(x1 - x0, xs + kx)
                                let n = UInt32((xe - xs) * (y1 - y0))
                                let o = (oy * outW + ox) * ch
                                if ch == 4 {
                                    var c = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
                                    for x in xs..<xe {
                                        c.0 &+= weighted[x * 4]
                                        c.1 &+= weighted[x * 4 + 1]
                                        c.2 &+= weighted[x * 4 + 2]
                                        c.3 &+= weighted[x * 4 + 3]
                                    }
                                    out[o + 3] = UInt8((c.3 + UInt64(n) / 2) / UInt64(n))
                                    if c.3 > 0 {
                                        out[o] = UInt8(min(255, (c.0 + c.3 / 2) / c.3))
                                        out[o + 1] = UInt8(min(255, (c.1 + c.3 / 2) / c.3))
                                        out[o + 2] = UInt8(min(255, (c.2 + c.3 / 2) / c.3))
                                    }
                                } else {
                                    var c = (UInt32(0), UInt32(0), UInt32(0))
                                    for x in xs..<xe {
                                        c.0 &+= sums[3 &* x]
                                        c.1 &+= sums[3 &* x &+ 1]
                                        c.2 &+= sums[3 &* x &+ 2]
                                    }
                                    if n != divisor.d { divisor = Divisor(n) }
                                    out[o] = UInt8(divisor.divide(c.0 + n / 2))
                                    out[o + 1] = UInt8(divisor.divide(c.1 + n / 2))
                                    out[o + 2] = UInt8(divisor.divide(c.2 + n / 2))
                                }
                            }
                        }
                    }
                }
            }
        }
        return PixelBuffer(uncheckedWidth: outW, height: outH, channels: ch, pixels: out)
    }

    /// The two Lanczos passes (CKernels' `ck_lanczos_rows`), output rows split into bands across
    /// cores. `level` caps the instruction set (tests run every build; they all give the same bytes).
    static func lanczos(_ src: PixelBuffer, h: ResampleAxis, v: ResampleAxis, level: Int = 2) -> PixelBuffer {
        let ch = src.channels
        let out = OutputBuffer(count: h.outSize * v.outSize * ch)
        h.withAxis { ha in
            v.withAxis { va in
                forEachRowBand(v.outSize) { rows in
                    let lo = Int32(rows.lowerBound)
                    let hi = Int32(rows.upperBound)
                    let floats = ck_lanczos_scratch_floats(ha, va, Int32(ch), lo, hi)
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: floats)
                    defer { scratch.deallocate() }
                    src.pixels.withUnsafeBufferPointer { px in
                        ck_lanczos_rows(px.baseAddress, Int32(src.width), Int32(ch), ha, va, lo, hi, out.pointer, scratch, Int32(level))
                    }
                }
            }
        }
        return PixelBuffer(uncheckedWidth: h.outSize, height: v.outSize, channels: ch, pixels: out.array())
    }
}

/// Division of 32-bit numbers by one divisor through a multiplication (Lemire's fastdiv, exact
/// for every 32-bit dividend): the box average divides every output sample by its block's size.
struct Divisor {
    let d: UInt32
    private let magic: UInt64

    init(_ d: UInt32) {
        precondition(d > 0)
        self.d = d
        magic = d > 1 ? UInt64.max / UInt64(d) &+ 1 : 0
    }

    @inline(__always)
    func divide(_ x: UInt32) -> UInt32 {
        d == 1 ? x : UInt32(truncatingIfNeeded: magic.multipliedFullWidth(by: UInt64(x)).high)
    }
}

/// The output pixels, written by concurrent bands to disjoint rows.
private final class OutputBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt8>
    let count: Int
    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }
    deinit { pointer.deallocate() }
    func array() -> [UInt8] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
