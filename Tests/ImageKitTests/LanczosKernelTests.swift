import Testing

@testable import ImageKit

/// The Lanczos passes as a plain loop per output sample: the float operations `ck_lanczos_rows`
/// documents, in the same order, with no vectors, bands or ring buffer.
func plainLanczos(_ src: PixelBuffer, h: ResampleAxis, v: ResampleAxis) -> [UInt8] {
    let ch = src.channels
    let cols = h.inputRange
    var out = [UInt8](repeating: 0, count: h.outSize * v.outSize * ch)
    func sample(_ x: Int, _ y: Int, _ c: Int) -> Float {
        let i = (y * src.width + x) * ch
        guard ch == 4 else { return Float(src.pixels[i + c]) }
        let a = Float(src.pixels[i + 3])
        return c == 3 ? a : Float(src.pixels[i + c]) * (a * (1 / 255))
    }
    func byte(_ value: Float) -> UInt8 { UInt8(min(max(value, 0), 255) + 0.5) }
    for yo in 0..<v.outSize {
        let s = Int(v.starts[yo])
        let n = min(v.taps, v.inputRange.upperBound - s)
        let w = Array(v.weights[(yo * v.taps)..<(yo * v.taps + n)])
        // Vertical: one float per input column and channel.
        var column = [Float](repeating: 0, count: cols.count * ch)
        for x in cols {
            for c in 0..<ch {
                var acc = sample(x, s, c) * w[0]
                var k = 1
                while k + 1 < n {
                    acc = acc + (sample(x, s + k, c) * w[k] + sample(x, s + k + 1, c) * w[k + 1])
                    k += 2
                }
                if k < n { acc = acc + sample(x, s + k, c) * w[k] }
                column[(x - cols.lowerBound) * ch + c] = acc
            }
        }
        // Horizontal, then back to bytes.
        for xo in 0..<h.outSize {
            let sx = Int(h.starts[xo]) - cols.lowerBound
            let m = min(h.taps, cols.count - sx)
            var p = [Float](repeating: 0, count: ch)
            for k in 0..<m {
                for c in 0..<ch { p[c] = p[c] + column[(sx + k) * ch + c] * h.weights[xo * h.taps + k] }
            }
            let o = (yo * h.outSize + xo) * ch
            if ch == 4 {
                let a = min(max(p[3], 0), 255)
                out[o + 3] = UInt8(a + 0.5)
                if a > 0 {
                    let f = 255 / a
                    for c in 0..<3 { out[o + c] = byte(p[c] * f) }
                }
            } else {
                for c in 0..<3 { out[o + c] = byte(p[c]) }
            }
        }
    }
    return out
}

/// SplitMix64: the same pseudo-random images on every run.
struct SeededBytes {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Smooth gradients plus noise, with fully transparent and opaque runs in the alpha channel.
    mutating func image(width: Int, height: Int, channels: Int) throws -> PixelBuffer {
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                let o = (y * width + x) * channels
                let r = next()
                for c in 0..<3 { pixels[o + c] = UInt8(truncatingIfNeeded: (x * (c + 1) * 7 + y * 3) / 2 + Int(r >> (8 * c) & 63)) }
                if channels == 4 {
                    let band = (x / 5 + y / 7) % 4
                    pixels[o + 3] = band == 0 ? 0 : band == 1 ? 255 : UInt8(truncatingIfNeeded: r >> 40)
                }
            }
        }
        return try PixelBuffer(width: width, height: height, channels: channels, pixels: pixels)
    }
}

@Suite("Lanczos kernel")
struct LanczosKernelTests {
    /// (source width, height, output width, height, source rectangle or nil for all of it)
    static let cases: [(Int, Int, Int, Int, SourceRect?)] = [
        (401, 301, 231, 173, nil), // the detection copy's ~1.73x, several bands and groups
        (333, 517, 85, 131, nil), // ~3.9x: 25 taps, as the 1024 px thumbnail
        (250, 190, 31, 23, nil), // ~8x: the widest window after box reduction
        (97, 61, 150, 90, nil), // enlarging
        (300, 200, 129, 129, SourceRect(x: 37.25, y: 11.5, width: 180.5, height: 170.75)), // a crop at fractional offsets
        (17, 300, 5, 200, nil), // narrower than a vector, 200 rows: bands start mid-group
        (640, 3, 200, 1, nil), // a single output row
        (5, 5, 1, 1, nil),
        (1, 1, 3, 2, nil),
    ]

    @Test(arguments: [3, 4])
    func everyBuildMatchesThePlainLoopExactly(channels: Int) throws {
        var random = SeededBytes(state: UInt64(channels))
        for (sw, sh, w, h, rect) in Self.cases {
            let src = try random.image(width: sw, height: sh, channels: channels)
            let r = rect ?? SourceRect(x: 0, y: 0, width: Double(sw), height: Double(sh))
            let hAxis = ResampleAxis(inSize: sw, outSize: w, offset: r.x, length: r.width)
            let vAxis = ResampleAxis(inSize: sh, outSize: h, offset: r.y, length: r.height)
            let expected = plainLanczos(src, h: hAxis, v: vAxis)
            for level in 0...2 {
                let got = Resampler.lanczos(src, h: hAxis, v: vAxis, level: level)
                #expect(got.width == w && got.height == h && got.channels == channels)
                let differing = zip(got.pixels, expected).filter { $0 != $1 }.count
                #expect(differing == 0, "\(sw)x\(sh) -> \(w)x\(h), \(channels) channels, build \(level): \(differing) bytes differ")
            }
        }
    }

    /// The box average's division by multiplication gives the quotient `/` gives.
    @Test func divisorDividesExactly() {
        var random = SeededBytes(state: 5)
        var divisors: [UInt32] = Array(1...4096) + [65_535, 65_536, 1 << 31, UInt32.max - 1, UInt32.max]
        for _ in 0..<2000 { divisors.append(UInt32(truncatingIfNeeded: random.next()) | 1) }
        for d in divisors {
            let divisor = Divisor(d)
            var dividends: [UInt32] = [0, 1, d - 1, d, d &+ 1, UInt32.max, UInt32.max - 1, UInt32.max / d * d, UInt32.max / d * d &- 1]
            for _ in 0..<64 { dividends.append(UInt32(truncatingIfNeeded: random.next())) }
            for x in dividends where divisor.divide(x) != x / d {
                Issue.record("\(x) / \(d): \(divisor.divide(x)), expected \(x / d)")
            }
        }
    }
}
