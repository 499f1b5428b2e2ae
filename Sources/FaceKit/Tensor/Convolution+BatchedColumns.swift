import Parallel

extension Convolution {
    /// Samples per sgemm when a sample's whole column matrix fits ``columnBudget`` (as many as
    /// fit side by side), else nil. Such layers take this path rather than the band path or the
    /// direct kernel.
    ///
    /// The descriptor ResNet's strided layers have tiny outputs per chip (1 to 289 positions) and
    /// large filters (up to 256 x 2304, 2.4 MB): CKernels' direct kernel, made for the detector's
    /// wide maps, ran them at ~5 GFLOPS, and one sgemm per chip reads every filter once per chip
    /// for a few columns of work; one sgemm for a group of chips reads them once per group.
    func batchedColumnsGroup(samples: Int, outRows: Int, outCols: Int) -> Int? {
        let group = min(samples, Self.columnBudget / max(1, filterSize * outRows * outCols))
        return group >= 1 ? group : nil
    }

    /// im2col of `samplesPerGroup` samples side by side (K x S·P), one sgemm into an F x S·P
    /// product, then each sample's rows copied to its output planes with the bias and ReLU. Groups
    /// are spread over the workers; their size does not depend on the thread count, so neither do
    /// the values (each output is the same dot product as in the one-sample path).
    func forwardBatchedColumns(_ input: borrowing Tensor, samplesPerGroup: Int, into output: inout Tensor) {
        let n = input.n
        let (rows, cols) = (input.nr, input.nc)
        let (outR, outC) = (output.nr, output.nc)
        let (K, F, P) = (filterSize, outChannels, outR * outC)
        let groups = (n + samplesPerGroup - 1) / samplesPerGroup
        let workers = max(1, min(FaceKitThreads.current, groups))
        // With a horizontal stride, every row split into its column phases first (as in `forward`).
        let phased = strideX > 1 ? ColumnPhases(input, stride: strideX) : nil
        let layout = phased?.layout ?? PhaseLayout(stride: 1, rows: rows, lengths: [cols], pitch: cols)
        let inSample = phased?.sampleSize ?? input.sampleSize
        let (bias, relu) = (self.bias, self.relu)
        func run(_ source: UnsafePointer<Float>) {
            output.data.withUnsafeMutableBufferPointer { dst in
                weights.withUnsafeBufferPointer { w in
                    let shared = BatchedPointers(src: source, dst: dst.baseAddress!, w: w.baseAddress!)
                    let work: @Sendable (Int) -> Void = { worker in
                        let width = samplesPerGroup * P
                        var columns = [Float](repeating: 0, count: K * width)
                        var product = [Float](repeating: 0, count: F * width)
                        columns.withUnsafeMutableBufferPointer { col in
                            product.withUnsafeMutableBufferPointer { prod in
                                var group = worker
                                while group < groups {
                                    let s0 = group * samplesPerGroup
                                    let S = min(samplesPerGroup, n - s0)
                                    for j in 0..<S {
                                        im2col(
                                            shared.src + (s0 + j) * inSample, layout, outCols: outC, r0: 0, r1: outR,
                                            into: col.baseAddress! + j * P, rowPitch: S * P)
                                    }
                                    BLASKernels.multiply(
                                        m: F, n: S * P, k: K, a: shared.w, lda: K, b: col.baseAddress!, ldb: S * P,
                                        c: prod.baseAddress!, ldc: S * P)
                                    for j in 0..<S {
                                        let out = shared.dst + (s0 + j) * F * P
                                        for f in 0..<F {
                                            let from = prod.baseAddress! + f * S * P + j * P
                                            let to = out + f * P
                                            let b = bias.isEmpty ? 0 : bias[f]
                                            if relu {
                                                for i in 0..<P { to[i] = max(from[i] + b, 0) }
                                            } else {
                                                for i in 0..<P { to[i] = from[i] + b }
                                            }
                                        }
                                    }
                                    group += workers
                                }
                            }
                        }
                    }
                    if workers == 1 { work(0) } else { parallelFor(workers, work) }
                }
            }
        }
        if let phased {
            phased.data.withUnsafeBufferPointer { run($0.baseAddress!) }
        } else {
            input.data.withUnsafeBufferPointer { run($0.baseAddress!) }
        }
    }

    /// Raw pointers handed to the workers; each writes the outputs of its own samples.
    private struct BatchedPointers: @unchecked Sendable {
        let src: UnsafePointer<Float>
        let dst: UnsafeMutablePointer<Float>
        let w: UnsafePointer<Float>
    }
}
