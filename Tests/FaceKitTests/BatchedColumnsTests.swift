import Testing

@testable import FaceKit

/// Layers on sgemm with small outputs run several samples per product (Convolution+BatchedColumns):
/// the same values as one sample at a time, on one and three threads.
@Suite struct BatchedColumnsTests {
    typealias SplitMix = TensorOpsTests.SplitMix

    static func conv(_ out: Int, _ inp: Int, kernel: Int, stride: Int, pad: Int, relu: Bool, bias: Bool, _ g: inout SplitMix)
        -> Convolution
    {
        Convolution(
            outChannels: out, inChannels: inp, kernelRows: kernel, kernelCols: kernel, strideY: stride, strideX: stride, padY: pad,
            padX: pad, weights: FloatStorage((0..<(out * inp * kernel * kernel)).map { _ in Float.random(in: -0.3...0.3, using: &g) }),
            bias: bias ? (0..<out).map { _ in Float.random(in: -0.1...0.1, using: &g) } : [], relu: relu)
    }

    /// One sample of `x`.
    static func sample(_ x: Tensor, _ s: Int) -> Tensor {
        Tensor(n: 1, k: x.k, nr: x.nr, nc: x.nc, data: Array(x.data[(s * x.sampleSize)..<((s + 1) * x.sampleSize)]))
    }

    /// The descriptor ResNet's strided shapes (padded and unpadded, as dlib has them), a 1x1
    /// output, a stride-1 layer that is not Winograd's (5x5 unpadded), and groups that split the
    /// batch unevenly.
    @Test(arguments: [
        // (filters, channels, kernel, stride, pad, rows, samples, relu, bias)
        (64, 32, 3, 2, 1, 35, 7, true, true), (32, 16, 3, 2, 1, 8, 20, true, false), (16, 8, 3, 2, 1, 3, 5, false, true),
        (8, 4, 5, 1, 0, 9, 4, true, true), (256, 128, 3, 2, 1, 8, 3, true, true), (128, 64, 3, 2, 0, 17, 4, true, true),
    ])
    func equalsOneSampleAtATime(_ p: (Int, Int, Int, Int, Int, Int, Int, Bool, Bool)) throws {
        var g = SplitMix(state: UInt64(p.0 * 100 + p.5))
        let conv = Self.conv(p.0, p.1, kernel: p.2, stride: p.3, pad: p.4, relu: p.7, bias: p.8, &g)
        let x = TensorOpsTests.random(p.6, p.1, p.5, p.5, &g)
        let outR = conv.outputRows(p.5)
        let group = try #require(conv.batchedColumnsGroup(samples: p.6, outRows: outR, outCols: conv.outputCols(p.5)))
        #expect(group >= 2 && group <= p.6)
        #expect(conv.batchedColumnsGroup(samples: 1, outRows: outR, outCols: outR) == 1)
        let batched = conv.forward(x, kernel: .blas)
        #expect(TensorOpsTests.maxDiff(batched, TensorOpsTests.naiveConv(x, conv)) < 1e-4)
        for s in 0..<p.6 {
            let one = conv.forward(Self.sample(x, s), kernel: .blas)
            #expect(TensorOpsTests.maxDiff(Self.sample(batched, s), one) < 1e-5, "sample \(s)")
        }
        TensorOpsTests.expectSameOnOneAndThreeThreads(conv, x)
    }

    /// Large outputs (the 7x7 stem on 150x150 chips) keep their kernel (here the direct one); a
    /// small unpadded strided layer, which the direct kernel would take too, runs batched instead.
    @Test func whichLayersTakeIt() {
        var g = SplitMix(state: 1)
        let stem = Self.conv(32, 3, kernel: 7, stride: 2, pad: 0, relu: true, bias: true, &g)
        #expect(stem.batchedColumnsGroup(samples: 15, outRows: 72, outCols: 72) == nil)
        #expect(stem.preferredKernel == (ConvolutionKernel.onlyBLAS ? .blas : .direct))
        let deep = Self.conv(32, 16, kernel: 3, stride: 2, pad: 0, relu: true, bias: true, &g)
        #expect(deep.directApplies)
        let x = TensorOpsTests.random(3, 16, 8, 8, &g)
        #expect(deep.batchedColumnsGroup(samples: 3, outRows: 3, outCols: 3) == 3)
        #expect(deep.forward(x) == deep.forward(x, kernel: .blas))
        #expect(TensorOpsTests.maxDiff(deep.forward(x), deep.forward(x, kernel: .direct)) < 1e-5)
    }
}
