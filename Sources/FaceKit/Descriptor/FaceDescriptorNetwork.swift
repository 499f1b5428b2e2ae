#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// dlib's face recognition ResNet (`dlib_face_recognition_resnet_model_v1.dat`): a 150×150 RGB
/// face chip in, a 128-d descriptor out. Two chips of the same person are usually within
/// Euclidean distance 0.6.
///
/// Thread-safe: the weights are immutable and each call allocates its own buffers.
public final class FaceDescriptorNetwork: Sendable {
    let graph: DlibNetworkGraph
    let means: RGBMeans
    /// Chip height the network takes.
    public let chipRows: Int
    /// Chip width the network takes.
    public let chipCols: Int

    /// Loads `dlib_face_recognition_resnet_model_v1.dat` (or another `loss_metric` network on a
    /// sized RGB input), or its compiled `.imgc` form (see ``FaceModelCompiler``), which is used
    /// automatically when it sits next to the `.dat`.
    public convenience init(modelPath: String) throws(FaceModelError) {
        try self.init(network: try LoadedNetwork.load(path: modelPath))
    }

    /// Builds the network from a loaded network.
    init(network file: LoadedNetwork) throws(FaceModelError) {
        try BLASKernels.load()
        guard case .metric = file.loss else { throw FaceModelError(.wrongNetwork, "not a descriptor network (loss is not loss_metric_)") }
        guard case .rgbImageSized(let means, let rows, let cols) = file.input else {
            throw FaceModelError(.wrongNetwork, "descriptor network input is not input_rgb_image_sized")
        }
        self.means = means
        chipRows = rows
        chipCols = cols
        graph = file.graph
        try graph.validate(inputChannels: 3, rows: rows, cols: cols)
    }

    /// The descriptor of one chip (`chipCols × chipRows`, e.g. from dlib-style chip extraction).
    public func descriptor(ofChip chip: RGBImage) throws(FaceModelError) -> [Float] {
        try descriptors(ofChips: [chip])[0]
    }

    /// Descriptors of several chips in one pass (the same numbers as one at a time).
    public func descriptors(ofChips chips: [RGBImage]) throws(FaceModelError) -> [[Float]] {
        if chips.isEmpty { return [] }
        for chip in chips where chip.width != chipCols || chip.height != chipRows || chip.pixels.count != chipRows * chipCols * 3 {
            throw FaceModelError(
                .wrongNetwork,
                "chip is \(chip.width)x\(chip.height) (\(chip.pixels.count) bytes), the network takes \(chipCols)x\(chipRows) RGB")
        }
        let out = graph.forward(inputTensor(chips))
        let per = out.sampleSize
        return (0..<chips.count).map { Array(out.data[($0 * per)..<(($0 + 1) * per)]) }
    }

    /// The network's input for chips of the right size: one sample each, (value − channel mean) / 256.
    func inputTensor(_ chips: [RGBImage]) -> Tensor {
        let plane = chipRows * chipCols
        var input = Tensor(n: chips.count, k: 3, nr: chipRows, nc: chipCols)
        let m = [means.red, means.green, means.blue]
        input.data.withUnsafeMutableBufferPointer { d in
            for (s, chip) in chips.enumerated() {
                chip.pixels.withUnsafeBufferPointer { px in
                    for ch in 0..<3 {
                        let dp = d.baseAddress! + (s * 3 + ch) * plane
                        let mean = m[ch]
                        for i in 0..<plane { dp[i] = (Float(px[i * 3 + ch]) - mean) / 256 }
                    }
                }
            }
        }
        return input
    }
}
