import Testing

@testable import FaceKit

/// Each tensor kernel against a direct, obviously-correct loop on small random inputs.
@Suite struct TensorOpsTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func random(_ n: Int, _ k: Int, _ r: Int, _ c: Int, _ g: inout SplitMix) -> Tensor {
        Tensor(n: n, k: k, nr: r, nc: c, data: (0..<(n * k * r * c)).map { _ in Float.random(in: -1...1, using: &g) })
    }

    /// dlib's convolution written out: zero padding, cross-correlation.
    static func naiveConv(_ x: Tensor, _ conv: Convolution) -> Tensor {
        var out = Tensor(n: x.n, k: conv.outChannels, nr: conv.outputRows(x.nr), nc: conv.outputCols(x.nc))
        for s in 0..<x.n {
            for f in 0..<conv.outChannels {
                for oy in 0..<out.nr {
                    for ox in 0..<out.nc {
                        var acc: Double = conv.bias.isEmpty ? 0 : Double(conv.bias[f])
                        for c in 0..<conv.inChannels {
                            for ky in 0..<conv.kernelRows {
                                for kx in 0..<conv.kernelCols {
                                    let iy = oy * conv.strideY - conv.padY + ky
                                    let ix = ox * conv.strideX - conv.padX + kx
                                    guard iy >= 0, iy < x.nr, ix >= 0, ix < x.nc else { continue }
                                    acc +=
                                        Double(conv.weights[((f * conv.inChannels + c) * conv.kernelRows + ky) * conv.kernelCols + kx])
                                        * Double(x[s, c, iy, ix])
                                }
                            }
                        }
                        out[s, f, oy, ox] = conv.relu ? Float(max(acc, 0)) : Float(acc)
                    }
                }
            }
        }
        return out
    }

    static func maxDiff(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.shape == b.shape else { return .infinity }
        return zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0
    }

    @Test(arguments: [
        // (out, in, kr, kc, stride, pad, relu, bias, rows, cols)
        (4, 3, 3, 3, 1, 1, false, true, 9, 11),
        (5, 2, 5, 5, 2, 0, true, true, 17, 14),
        (3, 4, 7, 7, 2, 0, false, false, 20, 23),
        (2, 3, 5, 5, 3, 2, true, true, 13, 16),
        (1, 6, 9, 9, 1, 4, false, true, 12, 15), // the MMOD head: one filter, direct path
        (1, 2, 3, 3, 2, 0, true, true, 9, 9), // one filter but strided: im2col path
        (6, 1, 1, 1, 1, 0, false, true, 4, 5),
    ])
    func convolutionMatchesNaive(_ p: (Int, Int, Int, Int, Int, Int, Bool, Bool, Int, Int)) {
        var g = SplitMix(state: UInt64(p.0 * 131 + p.2 * 7 + p.4))
        let (f, c, kr, kc, s, pad, relu, hasBias, rows, cols) = p
        let conv = Convolution(
            outChannels: f, inChannels: c, kernelRows: kr, kernelCols: kc, strideY: s, strideX: s,
            padY: pad, padX: pad,
            weights: FloatStorage((0..<(f * c * kr * kc)).map { _ in Float.random(in: -1...1, using: &g) }),
            bias: hasBias ? (0..<f).map { _ in Float.random(in: -1...1, using: &g) } : [], relu: relu)
        let x = Self.random(2, c, rows, cols, &g)
        let got = conv.forward(x)
        let want = Self.naiveConv(x, conv)
        #expect(got.shape == want.shape)
        #expect(Self.maxDiff(got, want) < 1e-4)
    }

    @Test func convolutionBandsAgreeWithOneBand() {
        // A column budget smaller than one row forces one band per output row.
        var g = SplitMix(state: 9)
        let conv = Convolution(
            outChannels: 3, inChannels: 2, kernelRows: 3, kernelCols: 3, strideY: 1, strideX: 1, padY: 1, padX: 1,
            weights: FloatStorage((0..<54).map { _ in Float.random(in: -1...1, using: &g) }), bias: [0.1, 0.2, 0.3], relu: false)
        let x = Self.random(1, 2, 100, 700, &g) // 100·700·18 values > the 256 K column budget
        #expect(Self.maxDiff(conv.forward(x), Self.naiveConv(x, conv)) < 1e-4)
    }

    @Test func convolutionIsTheSameOnSeveralThreads() {
        var g = SplitMix(state: 17)
        let conv = Convolution(
            outChannels: 4, inChannels: 3, kernelRows: 5, kernelCols: 5, strideY: 2, strideX: 2, padY: 0, padX: 0,
            weights: FloatStorage((0..<300).map { _ in Float.random(in: -1...1, using: &g) }),
            bias: [0, 0.1, 0.2, 0.3], relu: true)
        let x = Self.random(3, 3, 200, 900, &g) // several bands per sample, three samples
        Self.expectSameOnOneAndThreeThreads(conv, x)
    }

    /// `conv` on `x` gives bit-identical results on 1 and 3 threads, close to the naive sum.
    static func expectSameOnOneAndThreeThreads(_ conv: Convolution, _ x: Tensor, sourceLocation: SourceLocation = #_sourceLocation) {
        let before = FaceKitThreads.current
        FaceKitThreads.set(3)
        let parallel = conv.forward(x)
        FaceKitThreads.set(1)
        let serial = conv.forward(x)
        FaceKitThreads.set(before)
        #expect(parallel == serial, sourceLocation: sourceLocation)
        #expect(Self.maxDiff(serial, Self.naiveConv(x, conv)) < 1e-4, sourceLocation: sourceLocation)
    }

    @Test func singleFilterHeadIsTheSameOnSeveralThreads() {
        // The detector's last layer shape (one 9x9 filter, stride 1, padded), on a width that is
        // not a multiple of the 32-output groups.
        var g = SplitMix(state: 23)
        let conv = Convolution(
            outChannels: 1, inChannels: 5, kernelRows: 9, kernelCols: 9, strideY: 1, strideX: 1, padY: 4, padX: 4,
            weights: FloatStorage((0..<405).map { _ in Float.random(in: -1...1, using: &g) }), bias: [0.25], relu: false)
        Self.expectSameOnOneAndThreeThreads(conv, Self.random(2, 5, 61, 77, &g))
    }

    @Test func poolingMatchesNaive() {
        var g = SplitMix(state: 3)
        let x = Self.random(2, 3, 9, 8, &g)
        for (kind, w, s, pad) in [
            (Pooling.Kind.max, 3, 2, 0), (.average, 2, 2, 0), (.max, 3, 1, 1), (.average, 3, 2, 1), (.average, 0, 1, 0), (.max, 0, 1, 0),
        ] {
            let pool = Pooling(kind: kind, windowRows: w, windowCols: w, strideY: s, strideX: s, padY: pad, padX: pad)
            let got = pool.forward(x)
            let wr = w == 0 ? x.nr : w
            let wc = w == 0 ? x.nc : w
            let sy = w == 0 ? 1 : s
            let pp = w == 0 ? 0 : pad
            #expect(got.nr == 1 + (x.nr + 2 * pp - wr) / sy && got.nc == 1 + (x.nc + 2 * pp - wc) / sy)
            for n in 0..<x.n {
                for c in 0..<x.k {
                    for r in 0..<got.nr {
                        for col in 0..<got.nc {
                            var vals: [Float] = []
                            for y in (r * sy - pp)..<(r * sy - pp + wr) {
                                for xx in (col * sy - pp)..<(col * sy - pp + wc) where y >= 0 && y < x.nr && xx >= 0 && xx < x.nc {
                                    vals.append(x[n, c, y, xx])
                                }
                            }
                            let want = kind == .max ? vals.max()! : vals.reduce(0, +) / Float(vals.count)
                            #expect(abs(got[n, c, r, col] - want) < 1e-5)
                        }
                    }
                }
            }
        }
    }

    @Test func dlibAddZeroPadsMismatchedShapes() {
        var g = SplitMix(state: 5)
        let a = Self.random(1, 4, 3, 3, &g)
        let b = Self.random(1, 2, 4, 4, &g)
        let sum = Tensor.dlibAdd(a, b)
        #expect(sum.shape == [1, 4, 4, 4])
        for c in 0..<4 {
            for r in 0..<4 {
                for x in 0..<4 {
                    let va: Float = (r < 3 && x < 3) ? a[0, c, r, x] : 0
                    let vb: Float = c < 2 ? b[0, c, r, x] : 0
                    #expect(sum[0, c, r, x] == va + vb)
                }
            }
        }
        let same = Tensor.dlibAdd(a, a)
        #expect(zip(same.data, a.data).allSatisfy { $0 == 2 * $1 })
    }

    @Test func affineReluAndFullyConnected() {
        var g = SplitMix(state: 11)
        var x = Self.random(2, 3, 2, 2, &g)
        let orig = x
        Affine(mode: .perChannel, gamma: [1, 2, -1], beta: [0.5, 0, 1]).apply(&x)
        for n in 0..<2 {
            for c in 0..<3 {
                for i in 0..<4 {
                    let want = [Float(1), 2, -1][c] * orig[n, c, i / 2, i % 2] + [Float(0.5), 0, 1][c]
                    #expect(abs(x[n, c, i / 2, i % 2] - want) < 1e-6)
                }
            }
        }
        x.applyReLU()
        #expect(x.data.allSatisfy { $0 >= 0 })
        let fc = FullyConnected(
            inputs: 12, outputs: 5, weights: FloatStorage((0..<60).map { _ in Float.random(in: -1...1, using: &g) }),
            bias: (0..<5).map { Float($0) })
        let y = fc.forward(orig)
        #expect(y.shape == [2, 5, 1, 1])
        for n in 0..<2 {
            for j in 0..<5 {
                var acc = Float(j)
                for i in 0..<12 { acc += orig.data[n * 12 + i] * fc.weights[i * 5 + j] }
                #expect(abs(y.data[n * 5 + j] - acc) < 1e-4)
            }
        }
    }

    @Test func foldingAffineIntoConvolutionKeepsResults() throws {
        var g = SplitMix(state: 21)
        let conv = Convolution(
            outChannels: 3, inChannels: 2, kernelRows: 3, kernelCols: 3, strideY: 1, strideX: 1, padY: 1, padX: 1,
            weights: FloatStorage((0..<54).map { _ in Float.random(in: -1...1, using: &g) }), bias: [0.1, -0.2, 0.3], relu: false)
        let affine = Affine(mode: .perChannel, gamma: [0.5, -2, 1.5], beta: [1, 0, -1])
        let graph = try DlibNetworkGraph(layers: [.convolution(conv), .affine(affine), .relu])
        #expect(graph.steps.count == 1)
        let x = Self.random(1, 2, 6, 7, &g)
        var want = conv.forward(x)
        affine.apply(&want)
        want.applyReLU()
        #expect(Self.maxDiff(graph.forward(x), want) < 1e-5)
    }

    @Test func residualMarkersFollowDlibIdioms() throws {
        // tag1 · relu · add_prev1  =>  x + relu(x)
        let plain = try DlibNetworkGraph(layers: [.marker, .relu, .addPrevious])
        let x = Tensor(n: 1, k: 1, nr: 1, nc: 2, data: [-1, 2])
        #expect(plain.forward(x).data == [-1, 4])
        // tag1 · affine(×3) · tag2 · skip1 · avg_pool(everything) · add_prev2  =>  mean(x) + 3x (zero-padded add)
        let down = try DlibNetworkGraph(layers: [
            .marker, .affine(Affine(mode: .perChannel, gamma: [3], beta: [0])), .marker, .marker,
            .pooling(Pooling(kind: .average, windowRows: 0, windowCols: 0, strideY: 1, strideX: 1, padY: 0, padX: 0)),
            .addPrevious,
        ])
        #expect(down.forward(x).data == [0.5 - 3, 6])
        #expect(throws: FaceModelError.self) { try DlibNetworkGraph(layers: [.relu, .addPrevious]) }
    }
}
