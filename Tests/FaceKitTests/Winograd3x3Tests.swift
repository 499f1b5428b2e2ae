import Foundation
import Testing

@testable import FaceKit

/// CKernels' Winograd F(2x2, 3x3) against the direct sum and the im2col + sgemm path, on random
/// tensors (every build this CPU runs) and on the real descriptor ResNet's layers.
/// Serialized: `withKernelLevel` and the thread count are process-wide settings.
@Suite(.serialized) struct Winograd3x3Tests {
    typealias SplitMix = TensorOpsTests.SplitMix

    static func con3(_ out: Int, _ inp: Int, relu: Bool, bias: Bool, _ g: inout SplitMix) -> Convolution {
        Convolution(
            outChannels: out, inChannels: inp, kernelRows: 3, kernelCols: 3, strideY: 1, strideX: 1, padY: 1, padX: 1,
            weights: FloatStorage((0..<(out * inp * 9)).map { _ in Float.random(in: -0.3...0.3, using: &g) }),
            bias: bias ? (0..<out).map { _ in Float.random(in: -0.1...0.1, using: &g) } : [], relu: relu)
    }

    /// One pixel, odd and even sizes, rows of more than eight tiles, several samples in a chunk,
    /// and batches split into several chunks (128 channels at 8x8: 16 samples a chunk).
    @Test(arguments: [
        // (filters, channels, rows, cols, relu, bias, samples)
        (8, 8, 1, 1, false, true, 1), (8, 9, 2, 3, true, true, 2), (9, 8, 5, 4, false, false, 3),
        (16, 12, 17, 33, true, true, 2), (32, 32, 35, 35, true, true, 3), (12, 10, 4, 40, true, false, 1),
        (128, 128, 8, 8, false, true, 40), (64, 64, 3, 3, true, true, 5),
    ])
    func matchesTheDirectSumAndSgemmOnEveryBuild(_ p: (Int, Int, Int, Int, Bool, Bool, Int)) {
        var g = SplitMix(state: UInt64(p.0 * 1000 + p.2 * 10 + p.3))
        let conv = Self.con3(p.0, p.1, relu: p.4, bias: p.5, &g)
        #expect(conv.winograd3x3Applies && !conv.winogradApplies)
        let x = TensorOpsTests.random(p.6, p.1, p.2, p.3, &g)
        let naive = TensorOpsTests.naiveConv(x, conv)
        let blas = conv.forward(x, kernel: .blas)
        for level in 0...ConvolutionKernel.cpuLevel {
            let winograd = ConvolutionKernel.withKernelLevel(level) { conv.forward(x, kernel: .winograd) }
            #expect(winograd.shape == blas.shape)
            #expect(TensorOpsTests.maxDiff(winograd, naive) < 1e-4, "build \(level)")
            #expect(TensorOpsTests.maxDiff(winograd, blas) < 1e-4, "build \(level)")
            // The transforms really ran: the two paths round differently somewhere.
            #expect(winograd != blas, "build \(level)")
        }
    }

    /// The same values on one and three threads, whether the chunks or a chunk's products are spread.
    @Test func sameOnOneAndThreeThreads() {
        var g = SplitMix(state: 11)
        let wide = Self.con3(32, 32, relu: true, bias: true, &g)
        TensorOpsTests.expectSameOnOneAndThreeThreads(wide, TensorOpsTests.random(7, 32, 35, 35, &g)) // 3 chunks of 3, 3, 1
        let deep = Self.con3(128, 128, relu: false, bias: true, &g)
        TensorOpsTests.expectSameOnOneAndThreeThreads(deep, TensorOpsTests.random(5, 128, 4, 4, &g)) // one chunk
    }

    /// 3x3 stride-1 layers padded by one take it; other 3x3 shapes and thin layers stay on sgemm.
    @Test func whichLayersTakeIt() {
        var g = SplitMix(state: 13)
        let expect: (ConvolutionKernel) -> ConvolutionKernel = { ConvolutionKernel.onlyBLAS ? .blas : $0 }
        #expect(Self.con3(32, 32, relu: true, bias: true, &g).preferredKernel == expect(.winograd))
        #expect(Self.con3(4, 32, relu: true, bias: true, &g).preferredKernel == .blas)
        #expect(Self.con3(128, 128, relu: true, bias: true, &g).winograd3x3Pays)
        #expect(!Self.con3(256, 256, relu: true, bias: true, &g).winograd3x3Pays) // batched sgemm (BatchedColumnsTests)
        let strided = Convolution(
            outChannels: 64, inChannels: 32, kernelRows: 3, kernelCols: 3, strideY: 2, strideX: 2, padY: 1, padX: 1,
            weights: FloatStorage([Float](repeating: 0.1, count: 64 * 32 * 9)), bias: [], relu: true)
        #expect(!strided.winograd3x3Applies)
        let unpadded = Convolution(
            outChannels: 16, inChannels: 16, kernelRows: 3, kernelCols: 3, strideY: 1, strideX: 1, padY: 0, padX: 0,
            weights: FloatStorage([Float](repeating: 0.1, count: 16 * 16 * 9)), bias: [], relu: true)
        #expect(!unpadded.winograd3x3Applies)
    }

    /// The real ResNet's layers on a real chip batch: every stride-1 3x3 layer through Winograd
    /// against sgemm (relative to the layer's largest output), each layer fed sgemm's output of the
    /// previous one; the kept filter matrices equal freshly transformed ones.
    @Test(.enabled(if: CNNTestData.modelsAvailable && CNNTestData.available, "needs models/ and ../shared/testdata"))
    func descriptorLayersOnRealChips() throws {
        let net = try FaceDescriptorNetwork(modelPath: CNNTestData.resnetPath)
        let dir = CNNTestData.testdata.appendingPathComponent("faces_dlib_chips")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".png") }.sorted().prefix(3)
        try #require(names.count == 3)
        let chips = try names.map { try CNNTestData.loadPNG(dir.appendingPathComponent($0).path) }
        var x = net.inputTensor(chips)
        var saved: [Tensor] = []
        var checked = 0
        for step in net.graph.steps {
            switch step {
            case .convolution(let c):
                let blas = c.forward(x, kernel: .blas)
                if c.winograd3x3Applies {
                    if c.winograd3x3Pays {
                        let cache = try #require(c.winograd3x3Filters, "the graph keeps the filter matrices")
                        #expect(cache.matrices(of: c) == c.winograd3x3Transform())
                    } else {
                        #expect(c.winograd3x3Filters == nil)
                    }
                    let scale = blas.data.map(abs).max() ?? 0
                    #expect(scale > 0)
                    for level in 0...ConvolutionKernel.cpuLevel {
                        let got = ConvolutionKernel.withKernelLevel(level) { c.forward(x, kernel: .winograd) }
                        #expect(TensorOpsTests.maxDiff(got, blas) <= 1e-5 * scale, "layer \(checked) build \(level): scale \(scale)")
                    }
                    checked += 1
                }
                x = blas
            case .affine(let a): a.apply(&x)
            case .relu: x.applyReLU()
            case .pooling(let p): x = p.forward(x)
            case .fullyConnected(let f): x = f.forward(x)
            case .save: saved.append(x)
            case .skipToPrevious: x = saved.remove(at: saved.count - 2)
            case .addSaved: x = Tensor.dlibAdd(x, saved.removeLast())
            }
        }
        #expect(checked == 24, "stride-1 3x3 layers of dlib_face_recognition_resnet_model_v1")
        // The whole network, batched, within float rounding of the sgemm path.
        let descriptors = try net.descriptors(ofChips: chips)
        for (i, d) in descriptors.enumerated() {
            let reference = Array(x.data[(i * 128)..<((i + 1) * 128)])
            #expect(zip(d, reference).map { abs($0 - $1) }.max()! < 1e-4)
        }
    }
}
