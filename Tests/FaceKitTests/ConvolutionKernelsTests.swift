import Testing

@testable import FaceKit

/// CKernels' Winograd F(4x4, 5x5) and direct strided convolution against the direct sum and
/// against the im2col + sgemm path, on random tensors and on the real detector's layers.
/// Serialized: `withKernelLevel` limits a process-wide setting, so two tests must not overlap.
@Suite(.serialized) struct ConvolutionKernelsTests {
    typealias SplitMix = TensorOpsTests.SplitMix

    static func con5(_ out: Int, _ inp: Int, relu: Bool, bias: Bool, _ g: inout SplitMix) -> Convolution {
        Convolution(
            outChannels: out, inChannels: inp, kernelRows: 5, kernelCols: 5, strideY: 1, strideX: 1, padY: 2, padX: 2,
            weights: FloatStorage((0..<(out * inp * 25)).map { _ in Float.random(in: -0.3...0.3, using: &g) }),
            bias: bias ? (0..<out).map { _ in Float.random(in: -0.1...0.1, using: &g) } : [], relu: relu)
    }

    /// Odd and even sizes, one row or column, sizes below a tile and not a multiple of eight tiles.
    @Test(arguments: [
        // (filters, channels, rows, cols, relu, bias, samples)
        (8, 8, 1, 1, false, true, 1), (8, 9, 2, 3, true, true, 2), (9, 8, 5, 4, false, false, 1),
        (16, 12, 17, 33, true, true, 2), (8, 8, 31, 16, false, true, 1), (12, 10, 4, 40, true, false, 1),
        (8, 8, 13, 131, true, true, 1),
    ])
    func matchesTheDirectSumAndSgemm(_ p: (Int, Int, Int, Int, Bool, Bool, Int)) {
        var g = SplitMix(state: UInt64(p.0 * 1000 + p.2 * 10 + p.3))
        let conv = Self.con5(p.0, p.1, relu: p.4, bias: p.5, &g)
        #expect(conv.winogradApplies)
        let x = TensorOpsTests.random(p.6, p.1, p.2, p.3, &g)
        let winograd = conv.forward(x, kernel: .winograd)
        let blas = conv.forward(x, kernel: .blas)
        #expect(winograd.shape == blas.shape)
        #expect(TensorOpsTests.maxDiff(winograd, TensorOpsTests.naiveConv(x, conv)) < 1e-4)
        #expect(TensorOpsTests.maxDiff(winograd, blas) < 1e-4)
        // The transforms really ran: the two paths round differently somewhere.
        #expect(winograd != blas || p.2 * p.3 == 1)
    }

    /// The detector's layer shape (45 -> 45) on a width whose bands hold two tile rows: several
    /// bands per sample, identical on one and three threads, and the baseline build and sgemm within
    /// rounding of the largest output.
    @Test func detectorShapeInBandsOnSeveralThreads() {
        var g = SplitMix(state: 5)
        let conv = Self.con5(45, 45, relu: true, bias: true, &g)
        let x = TensorOpsTests.random(1, 45, 21, 300, &g)
        #expect(Convolution.winogradBudget / (64 * 45 * 80) < 6, "several bands of tile rows")
        let before = FaceKitThreads.current
        FaceKitThreads.set(3)
        let best = conv.forward(x, kernel: .winograd)
        FaceKitThreads.set(1)
        #expect(conv.forward(x, kernel: .winograd) == best)
        FaceKitThreads.set(before)
        let want = TensorOpsTests.naiveConv(x, conv)
        let scale = want.data.map(abs).max() ?? 0
        #expect(scale > 1)
        #expect(TensorOpsTests.maxDiff(best, want) < 2e-5 * scale)
        let baseline = ConvolutionKernel.withKernelLevel(0) { conv.forward(x, kernel: .winograd) }
        #expect(TensorOpsTests.maxDiff(best, baseline) < 1e-5 * scale)
        #expect(TensorOpsTests.maxDiff(best, conv.forward(x, kernel: .blas)) < 2e-5 * scale)
    }

    /// Each layer shape takes the kernel that fits it; everything else stays on sgemm.
    @Test func layersChooseTheirKernel() {
        var g = SplitMix(state: 3)
        let expect: (ConvolutionKernel) -> ConvolutionKernel = { ConvolutionKernel.onlyBLAS ? .blas : $0 }
        #expect(Self.con5(45, 45, relu: true, bias: true, &g).preferredKernel == expect(.winograd))
        #expect(!Self.con5(4, 45, relu: true, bias: true, &g).winogradApplies)
        #expect(Self.strided(32, 16, kernel: 5, stride: 2, &g).preferredKernel == expect(.stridedWinograd))
        #expect(Self.strided(16, 3, kernel: 5, stride: 2, &g).preferredKernel == expect(.direct)) // 3 channels
        #expect(Self.strided(16, 16, kernel: 3, stride: 2, &g).preferredKernel == expect(.direct))
        #expect(Self.strided(6, 3, kernel: 5, stride: 2, &g).preferredKernel == .blas) // 3 channels, filters not in fours
        let padded = Convolution(
            outChannels: 8, inChannels: 3, kernelRows: 3, kernelCols: 3, strideY: 2, strideX: 2, padY: 1, padX: 1,
            weights: FloatStorage([Float](repeating: 0.1, count: 8 * 3 * 9)), bias: [], relu: false)
        #expect(padded.preferredKernel == .blas)
        let stride1 = Convolution(
            outChannels: 8, inChannels: 8, kernelRows: 3, kernelCols: 3, strideY: 1, strideX: 1, padY: 1, padX: 1,
            weights: FloatStorage([Float](repeating: 0.1, count: 8 * 8 * 9)), bias: [], relu: false)
        #expect(stride1.preferredKernel == expect(.winograd)) // F(2x2, 3x3), Winograd3x3Tests
    }

    static func strided(_ out: Int, _ inp: Int, kernel: Int, stride: Int, relu: Bool = true, bias: Bool = true, _ g: inout SplitMix)
        -> Convolution
    {
        Convolution(
            outChannels: out, inChannels: inp, kernelRows: kernel, kernelCols: kernel, strideY: stride, strideX: stride, padY: 0, padX: 0,
            weights: FloatStorage((0..<(out * inp * kernel * kernel)).map { _ in Float.random(in: -0.3...0.3, using: &g) }),
            bias: bias ? (0..<out).map { _ in Float.random(in: -0.1...0.1, using: &g) } : [], relu: relu)
    }

    /// The direct kernel on odd sizes, outputs one column wide and wider than a block, strides 2 and 3.
    @Test(arguments: [
        // (filters, channels, kernel, stride, rows, cols, relu, bias, samples)
        (4, 3, 5, 2, 5, 5, true, true, 1), (16, 3, 5, 2, 17, 140, true, true, 2), (8, 5, 3, 3, 13, 29, false, false, 1),
        (32, 16, 5, 2, 11, 73, true, true, 1), (4, 2, 2, 2, 6, 9, false, true, 3),
    ])
    func directMatchesTheDirectSumAndSgemm(_ p: (Int, Int, Int, Int, Int, Int, Bool, Bool, Int)) {
        var g = SplitMix(state: UInt64(p.0 * 100 + p.4 * 7 + p.5))
        let conv = Self.strided(p.0, p.1, kernel: p.2, stride: p.3, relu: p.6, bias: p.7, &g)
        #expect(conv.directApplies)
        let x = TensorOpsTests.random(p.8, p.1, p.4, p.5, &g)
        let direct = conv.forward(x, kernel: .direct)
        let blas = conv.forward(x, kernel: .blas)
        #expect(direct.shape == blas.shape)
        #expect(TensorOpsTests.maxDiff(direct, TensorOpsTests.naiveConv(x, conv)) < 1e-4)
        #expect(TensorOpsTests.maxDiff(direct, blas) < 1e-4)
        // Every build this CPU can run (baseline, AVX2+FMA, AVX-512) gives the same sums within rounding.
        for level in 0..<ConvolutionKernel.cpuLevel {
            let lower = ConvolutionKernel.withKernelLevel(level) { conv.forward(x, kernel: .direct) }
            #expect(TensorOpsTests.maxDiff(direct, lower) < 1e-5, "build \(level)")
        }
    }

    /// The strided Winograd kernel on outputs narrower than a tile, widths not a multiple of eight
    /// tiles, inputs one column or row wider than needed, and several samples, against the direct
    /// sum, sgemm and the direct kernel, on every build this CPU runs.
    @Test(arguments: [
        // (filters, channels, rows, cols, relu, bias, samples)
        (8, 8, 5, 5, true, true, 1), (32, 16, 11, 73, true, true, 1), (12, 9, 24, 40, false, false, 2),
        (32, 32, 30, 141, true, true, 1), (4, 8, 6, 6, false, true, 1), (16, 16, 45, 262, true, false, 1),
    ])
    func stridedWinogradMatchesTheDirectSumAndSgemm(_ p: (Int, Int, Int, Int, Bool, Bool, Int)) {
        var g = SplitMix(state: UInt64(p.0 * 300 + p.2 * 11 + p.3))
        let conv = Self.strided(p.0, p.1, kernel: 5, stride: 2, relu: p.4, bias: p.5, &g)
        #expect(conv.stridedWinogradApplies)
        let x = TensorOpsTests.random(p.6, p.1, p.2, p.3, &g)
        let winograd = conv.forward(x, kernel: .stridedWinograd)
        let direct = conv.forward(x, kernel: .direct)
        #expect(winograd.shape == direct.shape)
        #expect(TensorOpsTests.maxDiff(winograd, TensorOpsTests.naiveConv(x, conv)) < 1e-4)
        #expect(TensorOpsTests.maxDiff(winograd, conv.forward(x, kernel: .blas)) < 1e-4)
        #expect(TensorOpsTests.maxDiff(winograd, direct) < 1e-4)
        // The transforms really ran: the two kernels round differently somewhere.
        #expect(winograd != direct || p.2 * p.3 <= 36)
        for level in 0..<ConvolutionKernel.cpuLevel {
            let lower = ConvolutionKernel.withKernelLevel(level) { conv.forward(x, kernel: .stridedWinograd) }
            #expect(TensorOpsTests.maxDiff(winograd, lower) < 1e-5, "build \(level)")
        }
        TensorOpsTests.expectSameOnOneAndThreeThreads(conv, x)
    }

    /// The detector's downsampler (three unpadded stride-2 layers) in bands through reused buffers,
    /// including bands of one row and one band for everything. With direct layers only, the same
    /// values as the layers one after another whatever the bands and threads (each output is one
    /// fixed sum); with a strided Winograd layer (its rounding depends on a row's place in its tile)
    /// the same values on one and three threads, within rounding of the whole layers.
    @Test(arguments: [1, 3, 64]) func chainIsTheSameInBandsAndThreads(bandRows: Int) {
        var g = SplitMix(state: 13)
        let direct = [Self.strided(16, 3, kernel: 5, stride: 2, &g), Self.strided(8, 16, kernel: 3, stride: 2, &g)]
        let mixed = [
            Self.strided(16, 3, kernel: 5, stride: 2, &g), Self.strided(32, 16, kernel: 5, stride: 2, &g),
            Self.strided(8, 32, kernel: 3, stride: 2, &g),
        ]
        if !ConvolutionKernel.onlyBLAS { #expect(mixed.map(\.preferredKernel) == [.direct, .stridedWinograd, .direct]) }
        let x = TensorOpsTests.random(1, 3, 97, 131, &g)
        TensorOpsTests.expectSameOnOneAndThreeThreads(mixed[0], x)
        let before = FaceKitThreads.current
        defer { FaceKitThreads.set(before) }
        for (layers, exact) in [(direct, true), (mixed, false)] {
            var whole = x
            for layer in layers { whole = layer.forward(whole) }
            var results: [Tensor] = []
            for threads in [1, 3] {
                FaceKitThreads.set(threads)
                results.append(ConvolutionChain(layers: layers, bandRows: bandRows).forward(x))
            }
            #expect(results[0] == results[1])
            if exact {
                #expect(results[0] == whole)
            } else {
                #expect(TensorOpsTests.maxDiff(results[0], whole) < 1e-4)
            }
        }
    }

    /// The detector's head (one 9x9 filter over 45 channels, padded by 4) on every build this CPU
    /// runs, against the direct sum, on a width that is not a multiple of the 64-output blocks.
    @Test func singleFilterHeadOnEveryBuild() {
        var g = SplitMix(state: 29)
        let conv = Convolution(
            outChannels: 1, inChannels: 45, kernelRows: 9, kernelCols: 9, strideY: 1, strideX: 1, padY: 4, padX: 4,
            weights: FloatStorage((0..<(45 * 81)).map { _ in Float.random(in: -0.1...0.1, using: &g) }), bias: [0.5], relu: false)
        let x = TensorOpsTests.random(1, 45, 19, 75, &g)
        let want = TensorOpsTests.naiveConv(x, conv)
        for level in 0...ConvolutionKernel.cpuLevel {
            let got = ConvolutionKernel.withKernelLevel(level) { conv.forward(x) }
            #expect(TensorOpsTests.maxDiff(got, want) < 1e-4, "build \(level)")
        }
    }

    /// The real detector's layers on a real photo's activations: Winograd (three con5 layers), direct
    /// (three con5d layers) and strided Winograd (the last two con5d) against sgemm, relative to the
    /// layer's largest output.
    @Test(.enabled(if: CNNTestData.available, "needs models/ and ../shared/testdata"))
    func detectorLayersOnARealPhoto() throws {
        let detector = try FaceDetectorTests.detector.get()
        var image = try CNNTestData.loadImage(CNNTestData.testdata.appendingPathComponent("faces/group/bbt1.jpg").path)
        image = image.cropped(to: FaceRect(left: 0, top: 0, right: min(image.width, 640) - 1, bottom: min(image.height, 480) - 1))
        var (x, _) = detector.pyramidTensor(image)
        var checked: [ConvolutionKernel] = []
        for step in detector.graph.steps {
            guard case .convolution(let conv) = step else { continue }
            let blas = conv.forward(x, kernel: .blas)
            let applies: [ConvolutionKernel: Bool] = [
                .winograd: conv.winogradApplies, .stridedWinograd: conv.stridedWinogradApplies, .direct: conv.directApplies,
            ]
            for kernel in [ConvolutionKernel.winograd, .stridedWinograd, .direct] where applies[kernel]! {
                let got = conv.forward(x, kernel: kernel)
                let scale = blas.data.map(abs).max() ?? 0
                #expect(scale > 0)
                #expect(TensorOpsTests.maxDiff(got, blas) <= 1e-5 * scale, "layer \(checked.count) (\(kernel)): scale \(scale)")
                checked.append(kernel)
            }
            x = blas
        }
        #expect(checked == [.direct, .stridedWinograd, .direct, .stridedWinograd, .direct, .winograd, .winograd, .winograd])
    }
}
