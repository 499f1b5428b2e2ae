import Testing

@testable import FaceKit

/// Strided convolutions evaluated in bands of rows against the same layers one after another.
@Suite struct ConvolutionChainTests {
    typealias SplitMix = TensorOpsTests.SplitMix

    static func layer(_ out: Int, _ inp: Int, kernel: Int, stride: Int, pad: Int, _ g: inout SplitMix) -> Convolution {
        Convolution(
            outChannels: out, inChannels: inp, kernelRows: kernel, kernelCols: kernel, strideY: stride, strideX: stride, padY: pad,
            padX: pad, weights: FloatStorage((0..<(out * inp * kernel * kernel)).map { _ in Float.random(in: -0.3...0.3, using: &g) }),
            bias: (0..<out).map { _ in Float.random(in: -0.1...0.1, using: &g) }, relu: true)
    }

    /// The detector's downsampler shape (5x5, stride 2, pad 2) on odd sizes, with bands small
    /// enough that the first and last ones reach into the padding (64: one band, the whole).
    @Test(arguments: [1, 3, 7, 64]) func bandsEqualWholeLayers(bandRows: Int) {
        var g = SplitMix(state: 7)
        let layers = [
            Self.layer(4, 3, kernel: 5, stride: 2, pad: 2, &g), Self.layer(6, 4, kernel: 5, stride: 2, pad: 2, &g),
            Self.layer(5, 6, kernel: 3, stride: 2, pad: 0, &g),
        ]
        let input = TensorOpsTests.random(1, 3, 77, 53, &g)
        var whole = input
        for layer in layers { whole = layer.forward(whole) }
        let banded = ConvolutionChain(layers: layers, bandRows: bandRows).forward(input)
        #expect(banded.shape == whole.shape)
        // The same sums, but sgemm may order a band's edge columns differently: last-bit differences
        // only (padding rows taken for data would differ by far more).
        #expect(TensorOpsTests.maxDiff(banded, whole) < 1e-5)
    }

    @Test func tooSmallInputsFallBackToTheLayers() {
        var g = SplitMix(state: 9)
        let layers = [Self.layer(2, 1, kernel: 5, stride: 2, pad: 0, &g), Self.layer(2, 2, kernel: 5, stride: 2, pad: 0, &g)]
        let input = TensorOpsTests.random(1, 1, 6, 6, &g)
        var whole = input
        for layer in layers { whole = layer.forward(whole) }
        #expect(ConvolutionChain(layers: layers, bandRows: 4).forward(input) == whole)
    }

    @Test func onlyLeadingStridedRunsAreChained() {
        var g = SplitMix(state: 11)
        let strided = Self.layer(2, 2, kernel: 3, stride: 2, pad: 1, &g)
        let plain = Self.layer(2, 2, kernel: 3, stride: 1, pad: 1, &g)
        #expect(DlibNetworkGraph.leadingChain([.convolution(strided), .convolution(strided), .convolution(plain)])?.layers.count == 2)
        #expect(DlibNetworkGraph.leadingChain([.convolution(strided), .relu, .convolution(strided)]) == nil)
        #expect(DlibNetworkGraph.leadingChain([.convolution(plain), .convolution(strided), .convolution(strided)]) == nil)
    }
}
