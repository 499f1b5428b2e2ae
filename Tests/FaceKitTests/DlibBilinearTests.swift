import Testing

@testable import FaceKit

/// The precomputed-grid ``DlibBilinear`` and the pyramid tensor against the straightforward
/// per-sample versions below (the code they replaced), exact floats, odd sizes both ways.
@Suite struct DlibBilinearTests {
    /// Sizes (rows, columns) to resize between: odd, tiny, the SIMD loop's block edges, up and down.
    static let sizes: [((Int, Int), (Int, Int))] = [
        ((217, 301), (180, 250)), ((301, 217), (250, 180)), ((1, 1), (1, 1)), ((1, 9), (1, 7)), ((7, 1), (5, 1)),
        ((2, 2), (5, 5)), ((13, 17), (29, 37)), ((60, 61), (50, 50)), ((9, 8), (7, 6)), ((5, 4), (3, 3)),
        ((100, 5), (83, 4)), ((64, 67), (53, 55)), ((3, 1003), (2, 835)),
    ]

    /// A deterministic plane of values of both signs and many magnitudes.
    static func plane(rows: Int, cols: Int, stride: Int, seed: UInt64) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<(rows * stride)).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Float(Int(state % 20001) - 10000) / 7919
        }
    }

    /// Bit-for-bit equality, reported as the count and first place of differences (comparing the
    /// arrays whole would make a failure message of millions of values).
    static func expectIdentical(_ got: [Float], _ expected: [Float], _ what: String) {
        #expect(got.count == expected.count, "\(what): \(got.count) values, expected \(expected.count)")
        var differing = 0
        var first = -1
        for i in 0..<min(got.count, expected.count) where got[i].bitPattern != expected[i].bitPattern {
            if first < 0 { first = i }
            differing += 1
        }
        #expect(
            differing == 0,
            "\(what): \(differing) values differ, first at \(first): \(first < 0 ? 0 : got[first]) vs \(first < 0 ? 0 : expected[first])")
    }

    @Test(arguments: sizes) func planeMatchesThePerSampleVersion(_ size: ((Int, Int), (Int, Int))) {
        let ((sr, sc), (dr, dc)) = size
        let srcStride = sc + 3
        let dstStride = dc + 5
        let src = Self.plane(rows: sr, cols: sc, stride: srcStride, seed: UInt64(sr * 1000 + sc))
        var fast = [Float](repeating: -1, count: dr * dstStride)
        var reference = fast
        src.withUnsafeBufferPointer { s in
            fast.withUnsafeMutableBufferPointer { d in
                DlibBilinear.resizePlane(
                    s.baseAddress!, srcRowStride: srcStride, srcRows: sr, srcCols: sc,
                    d.baseAddress!, dstRowStride: dstStride, dstRows: dr, dstCols: dc)
            }
            reference.withUnsafeMutableBufferPointer { d in
                PerSampleBilinear.resizePlane(
                    s.baseAddress!, srcRowStride: srcStride, srcRows: sr, srcCols: sc,
                    d.baseAddress!, dstRowStride: dstStride, dstRows: dr, dstCols: dc)
            }
        }
        Self.expectIdentical(fast, reference, "\(sr)x\(sc) -> \(dr)x\(dc)")
        // Outside the output columns nothing is written.
        #expect((0..<dr).allSatisfy { r in (dc..<dstStride).allSatisfy { fast[r * dstStride + $0] == -1 } })
    }

    @Test(arguments: sizes) func rgbMatchesThePerSampleVersion(_ size: ((Int, Int), (Int, Int))) {
        let ((sr, sc), (dr, dc)) = size
        let bytes = Self.plane(rows: sr, cols: sc * 3, stride: sc * 3, seed: UInt64(sc)).map { UInt8(Int(abs($0) * 100) % 256) }
        let image = RGBImage(width: sc, height: sr, pixels: bytes)
        let fast = DlibBilinear.resizeRGB(image, width: dc, height: dr)
        let reference = PerSampleBilinear.resizeRGB(image, width: dc, height: dr)
        let differing = (0..<min(fast.pixels.count, reference.pixels.count)).filter { fast.pixels[$0] != reference.pixels[$0] }.count
        #expect(
            fast.pixels.count == reference.pixels.count && differing == 0, "\(sr)x\(sc) -> \(dr)x\(dc): \(differing) bytes differ")
    }

    /// Every cell of the tiled image is either in exactly one level or in exactly one padding span.
    @Test(arguments: [(217, 301), (768, 1366), (1728, 2304), (40, 41), (5, 5), (300, 7)])
    func paddingSpansCoverWhatNoLevelDoes(_ size: (Int, Int)) {
        let layout = TiledPyramidLayout(rows: size.0, cols: size.1, downsampling: 6, padding: 10, outerPadding: 11)
        var cover = [UInt8](repeating: 0, count: layout.rows * layout.cols)
        for l in layout.levels {
            for r in l.top...l.bottom { for c in l.left...l.right { cover[r * layout.cols + c] += 1 } }
        }
        for s in layout.paddingSpans() {
            #expect(s.count > 0 && s.start >= 0 && s.start + s.count <= layout.cols)
            for c in s.start..<(s.start + s.count) { cover[s.row * layout.cols + c] += 1 }
        }
        let wrong = cover.filter { $0 != 1 }.count
        #expect(wrong == 0, "\(size): \(wrong) cells covered other than once")
    }

    /// The whole pyramid tensor, bit for bit, against the zero-filled, channel-by-channel original.
    @Test(.enabled(if: CNNTestData.modelsAvailable, "needs models/"), arguments: [(217, 301), (61, 1003), (480, 359)])
    func pyramidTensorMatchesThePerSampleVersion(_ size: (Int, Int)) throws {
        let detector = try FaceDetector(modelPath: CNNTestData.detectorPath)
        let (h, w) = size
        let pixels = Self.plane(rows: h, cols: w * 3, stride: w * 3, seed: 7).map { UInt8(Int(abs($0) * 1000) % 256) }
        let image = RGBImage(width: w, height: h, pixels: pixels)
        let (fast, layout) = detector.pyramidTensor(image)
        #expect(layout.levels.count > 2)
        let reference = PerSampleBilinear.pyramidTensor(
            image, layout: layout, means: [detector.means.red, detector.means.green, detector.means.blue])
        #expect(fast.shape == reference.shape)
        Self.expectIdentical(fast.data, reference.data, "pyramid of \(h)x\(w)")
    }
}

/// The straightforward versions: each output sample walks dlib's loops and computes its corners and
/// weights on the spot; the tensor is zero-filled, then filled channel by channel.
enum PerSampleBilinear {
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

    static func resizeRGB(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        var out = RGBImage(width: width, height: height)
        if image.width == 0 || image.height == 0 || width == 0 || height == 0 { return out }
        let sw = image.width
        let s = image.pixels
        forEachSample(srcRows: image.height, srcCols: image.width, dstRows: height, dstCols: width) {
            r, c, top, bottom, left, right, w in
            let o = (r * width + c) * 3
            for ch in 0..<3 {
                let v = w.combine(
                    Float(s[(top * sw + left) * 3 + ch]), Float(s[(top * sw + right) * 3 + ch]),
                    Float(s[(bottom * sw + left) * 3 + ch]), Float(s[(bottom * sw + right) * 3 + ch]))
                out.pixels[o + ch] = UInt8(clamping: Int(v))
            }
        }
        return out
    }

    static func pyramidTensor(_ img: RGBImage, layout: TiledPyramidLayout, means m: [Float]) -> Tensor {
        var t = Tensor(n: 1, k: 3, nr: layout.rows, nc: layout.cols)
        let base = layout.levels[0]
        let plane = layout.rows * layout.cols
        let nc = layout.cols
        t.data.withUnsafeMutableBufferPointer { d in
            for ch in 0..<3 {
                let dp = d.baseAddress! + ch * plane
                for r in 0..<img.height {
                    for c in 0..<img.width {
                        dp[(base.top + r) * nc + base.left + c] = (Float(img.pixels[(r * img.width + c) * 3 + ch]) - m[ch]) / 256
                    }
                }
                for i in 1..<layout.levels.count {
                    let s = layout.levels[i - 1]
                    let dr = layout.levels[i]
                    resizePlane(
                        UnsafePointer(dp + s.top * nc + s.left), srcRowStride: nc, srcRows: s.height, srcCols: s.width,
                        dp + dr.top * nc + dr.left, dstRowStride: nc, dstRows: dr.height, dstCols: dr.width)
                }
            }
        }
        return t
    }

    struct Weights {
        let simd: Bool
        let tbFrac: Double
        let lrFrac: Float
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

    static func forEachSample(
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
            let x0 = -4 * xScale
            var lanes: (Float, Float, Float, Float) = (Float(x0), Float(x0 + xScale), Float(x0 + 2 * xScale), Float(x0 + 3 * xScale))
            let step = Float(4 * xScale)
            var c = 0
            while true {
                lanes = (lanes.0 + step, lanes.1 + step, lanes.2 + step, lanes.3 + step)
                if c >= dstCols || Int(lanes.3) + 1 >= srcCols { break }
                func emit(_ lane: Int, _ lx: Float) {
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
