import CKernels
import Parallel

/// A 2-d convolution with dlib's `con_` semantics: cross-correlation, zero padding, stride,
/// an optional per-filter bias and an optional ReLU folded in.
///
/// Computed as im2col + one OpenBLAS `sgemm` per band of output rows, so the column buffer
/// stays bounded (a few MB) however large the image is. Stride-1 5x5 layers use Winograd
/// F(4x4, 5x5) instead (Convolution+Winograd.swift), stride-1 3x3 layers F(2x2, 3x3)
/// (Convolution+Winograd3x3.swift), unpadded strided layers a direct kernel
/// (Convolution+Direct.swift) or Winograd over their phases (Convolution+StridedWinograd.swift);
/// those are CKernels' C code. Layers whose whole output per sample
/// is small (a batch of face chips) put several samples in one sgemm (Convolution+BatchedColumns.swift).
struct Convolution: Sendable {
    /// Number of filters (output channels).
    let outChannels: Int
    /// Input channels each filter spans.
    let inChannels: Int
    /// Filter height.
    let kernelRows: Int
    /// Filter width.
    let kernelCols: Int
    /// Vertical stride.
    let strideY: Int
    /// Horizontal stride.
    let strideX: Int
    /// Zero padding above and below.
    let padY: Int
    /// Zero padding left and right.
    let padX: Int
    /// `outChannels × (inChannels·kernelRows·kernelCols)`, row-major: dlib's filter layout.
    var weights: FloatStorage
    /// One bias per filter, or empty for none.
    var bias: [Float]
    /// Whether a ReLU follows (folded into the output pass).
    var relu: Bool
    /// Stride-1 3x3 layers of a network: their Winograd filter matrices, kept across calls (see
    /// ``Winograd3x3Filters``); nil computes them per call.
    var winograd3x3Filters: Winograd3x3Filters? = nil

    /// Values per filter (`inChannels · kernelRows · kernelCols`).
    var filterSize: Int { inChannels * kernelRows * kernelCols }

    /// Output rows for `rows` input rows (dlib: `1 + (nr + 2·pad − kr) / stride`).
    func outputRows(_ rows: Int) -> Int { 1 + (rows + 2 * padY - kernelRows) / strideY }
    /// Output columns for `cols` input columns.
    func outputCols(_ cols: Int) -> Int { 1 + (cols + 2 * padX - kernelCols) / strideX }

    /// Upper bound on the im2col buffer, in floats (1 MB): a band small enough to stay in L2
    /// while OpenBLAS packs it measured ~10% faster on the detector than 4 MB bands.
    static let columnBudget = 1 << 18

    /// Applies the convolution to every sample of `input`, with `kernel` (tests) or the layer's
    /// ``preferredKernel``.
    ///
    /// Takes the input by value: a strided layer releases it as soon as its column phases are
    /// built, when the caller handed it over with `consume` (on a 4 MP photo the detector's first
    /// layers hold 150-200 MB each of input and of phases).
    func forward(_ input: consuming Tensor, kernel: ConvolutionKernel? = nil) -> Tensor {
        let n = input.n
        let rows = input.nr
        let cols = input.nc
        precondition(input.k == inChannels, "Convolution: expected \(inChannels) channels, got \(input.k)")
        let outR = max(0, outputRows(rows))
        let outC = max(0, outputCols(cols))
        if outR == 0 || outC == 0 || n == 0 { return Tensor(n: n, k: outChannels, nr: outR, nc: outC) }
        // Every output value is written below, by whichever kernel runs (each writes its whole output).
        var output = Tensor(uninitializedN: n, k: outChannels, nr: outR, nc: outC)
        if outChannels == 1 && strideX == 1 && strideY == 1 {
            forwardSingleFilter(input, into: &output)
            return output
        }
        switch kernel ?? preferredKernel {
        case .winograd where winogradApplies:
            forwardWinograd(input, into: &output)
            return output
        case .winograd where winograd3x3Applies && (kernel == .winograd || winograd3x3Pays):
            forwardWinograd3x3(input, into: &output)
            return output
        case .direct where directApplies && (kernel == .direct || batchedColumnsGroup(samples: n, outRows: outR, outCols: outC) == nil):
            forwardDirect(input, into: &output)
            return output
        case .stridedWinograd where stridedWinogradApplies:
            forwardStridedWinograd(input, into: &output)
            return output
        default: break
        }
        if let group = batchedColumnsGroup(samples: n, outRows: outR, outCols: outC) {
            forwardBatchedColumns(input, samplesPerGroup: group, into: &output)
            return output
        }
        let K = filterSize
        let rowsPerBand = max(1, min(outR, Convolution.columnBudget / max(1, K * outC)))
        // With a horizontal stride, split every input row into its `strideX` column phases first,
        // so that each im2col row is a contiguous copy instead of a strided gather.
        let phased = strideX > 1 ? ColumnPhases(input, stride: strideX) : nil
        if phased != nil { input = Tensor(n: 0, k: 0, nr: 0, nc: 0) } // only the phases are read from here on
        // Stride 1 reads the input as it is: one "phase" per channel, the row itself.
        let layout = phased?.layout ?? PhaseLayout(stride: 1, rows: rows, lengths: [cols], pitch: cols)
        let outPlane = outR * outC
        let inSample = inChannels * rows * cols
        let bandsPerSample = (outR + rowsPerBand - 1) / rowsPerBand
        let items = n * bandsPerSample
        // Work items are (sample, band of output rows); each writes its own rows of every
        // output plane, so workers never touch the same memory. OpenBLAS runs single-threaded
        // inside each item (see FaceKitThreads).
        let workers = max(1, min(FaceKitThreads.current, items))
        input.data.withUnsafeBufferPointer { src in
            output.data.withUnsafeMutableBufferPointer { dst in
                weights.withUnsafeBufferPointer { w in
                    let shared = SharedPointers(src: src.baseAddress, dst: dst.baseAddress!, w: w.baseAddress!)
                    let work: @Sendable (Int) -> Void = { worker in
                        var columns = [Float](repeating: 0, count: K * rowsPerBand * outC)
                        columns.withUnsafeMutableBufferPointer { col in
                            var item = worker
                            while item < items {
                                let s = item / bandsPerSample
                                let r0 = (item % bandsPerSample) * rowsPerBand
                                let r1 = min(outR, r0 + rowsPerBand)
                                let P = (r1 - r0) * outC
                                let sOut = shared.dst + s * outChannels * outPlane
                                if let phased {
                                    phased.data.withUnsafeBufferPointer { ph in
                                        im2col(
                                            ph.baseAddress! + s * phased.sampleSize, layout, outCols: outC, r0: r0, r1: r1,
                                            into: col.baseAddress!)
                                    }
                                } else {
                                    im2col(shared.src! + s * inSample, layout, outCols: outC, r0: r0, r1: r1, into: col.baseAddress!)
                                }
                                BLASKernels.multiply(
                                    m: outChannels, n: P, k: K, a: shared.w, lda: K, b: col.baseAddress!, ldb: P,
                                    c: sOut + r0 * outC, ldc: outPlane)
                                finish(sOut + r0 * outC, count: P, planeStride: outPlane)
                                item += workers
                            }
                        }
                    }
                    if workers == 1 { work(0) } else { parallelFor(workers, work) }
                }
            }
        }
        return output
    }

    /// Raw pointers handed to worker threads; each worker writes disjoint output rows.
    private struct SharedPointers: @unchecked Sendable {
        /// The input, nil once a strided layer has let it go for its column phases.
        let src: UnsafePointer<Float>?
        let dst: UnsafeMutablePointer<Float>
        let w: UnsafePointer<Float>
    }

    /// One filter, stride 1: a direct sum over a zero-padded copy of the input (CKernels'
    /// `ck_single_filter`, 4 vectors of outputs at a time), output rows split across the workers.
    /// An im2col matrix would be `filterSize` times the output and dominate what is a
    /// matrix-vector product.
    private func forwardSingleFilter(_ input: Tensor, into output: inout Tensor) {
        let H = input.nr
        let W = input.nc
        let outR = output.nr
        let outC = output.nc
        // Padded plane: padY rows above/below, padX columns left, enough on the right for whole blocks.
        let pw = max(W + 2 * padX, Int(ck_single_filter_pitch(Int32(outC), Int32(kernelCols))))
        let ph = H + 2 * padY
        let b: Float = bias.isEmpty ? 0 : bias[0]
        let inChannels = self.inChannels
        let (kr, kc, relu) = (Int32(kernelRows), Int32(kernelCols), Int32(self.relu ? 1 : 0))
        var padded = [Float](repeating: 0, count: inChannels * ph * pw)
        input.data.withUnsafeBufferPointer { src in
            output.data.withUnsafeMutableBufferPointer { dst in
                weights.withUnsafeBufferPointer { w in
                    padded.withUnsafeMutableBufferPointer { pad in
                        for s in 0..<input.n {
                            let sIn = src.baseAddress! + s * input.sampleSize
                            for c in 0..<inChannels {
                                for y in 0..<H {
                                    (pad.baseAddress! + (c * ph + y + padY) * pw + padX).update(from: sIn + (c * H + y) * W, count: W)
                                }
                            }
                            let shared = SharedPointers(
                                src: UnsafePointer(pad.baseAddress!), dst: dst.baseAddress! + s * outR * outC, w: w.baseAddress!)
                            // Bands of 8 rows, interleaved over the workers.
                            let bands = (outR + 7) / 8
                            let workers = max(1, min(FaceKitThreads.current, bands))
                            let work: @Sendable (Int) -> Void = { worker in
                                var band = worker
                                while band < bands {
                                    ck_single_filter(
                                        shared.src!, Int32(inChannels), Int32(ph), Int32(pw), shared.w, kr, kc, b, relu, Int32(band * 8),
                                        Int32(min(outR, band * 8 + 8)), Int32(outC), shared.dst)
                                    band += workers
                                }
                            }
                            if workers == 1 { work(0) } else { parallelFor(workers, work) }
                        }
                    }
                }
            }
        }
    }

    /// How one sample's input planes are laid out for im2col: every channel as `stride` column
    /// phases (phase `q` of a row holds columns `q, q + stride, …`), each a `rows x pitch` plane.
    /// With stride 1 that is the tensor itself (one phase, the whole row).
    struct PhaseLayout {
        let stride: Int
        let rows: Int
        /// Columns in phase `q`: `ceil((W − q) / stride)`.
        let lengths: [Int]
        /// Row pitch of every phase plane (the longest phase).
        let pitch: Int
    }

    /// An input tensor with each row split into column phases (see `PhaseLayout`).
    struct ColumnPhases {
        let layout: PhaseLayout
        let channels: Int
        var data: [Float]
        var sampleSize: Int { channels * layout.stride * layout.rows * layout.pitch }

        init(_ t: borrowing Tensor, stride s: Int) {
            let lengths = (0..<s).map { q in max(0, (t.nc - q + s - 1) / s) }
            layout = PhaseLayout(stride: s, rows: t.nr, lengths: lengths, pitch: lengths[0])
            channels = t.k
            let rows = t.nr
            let W = t.nc
            let pitch = layout.pitch
            let channels = t.k
            data = [Float](repeating: 0, count: t.n * channels * s * rows * pitch)
            t.data.withUnsafeBufferPointer { src in
                data.withUnsafeMutableBufferPointer { dst in
                    // Planes are independent: spread over the workers when threads allow.
                    let shared = CopyPointers(src: src.baseAddress!, dst: dst.baseAddress!)
                    let split: @Sendable (Int) -> Void = { plane in
                        for y in 0..<rows {
                            let srow = shared.src + (plane * rows + y) * W
                            for q in 0..<s {
                                let drow = shared.dst + ((plane * s + q) * rows + y) * pitch
                                var i = 0
                                var x = q
                                if s == 2 {
                                    // Sixteen inputs at a time, split into their even and odd halves.
                                    while x + 16 <= W {
                                        let v = UnsafeRawPointer(srow + x).loadUnaligned(as: SIMD16<Float>.self)
                                        UnsafeMutableRawPointer(drow + i).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
                                        i += 8
                                        x += 16
                                    }
                                }
                                while x < W {
                                    drow[i] = srow[x]
                                    i += 1
                                    x += s
                                }
                            }
                        }
                    }
                    // One thread per worker, not per plane: a batch of chips has thousands of small planes.
                    let planes = t.n * channels
                    let workers = min(FaceKitThreads.current, planes)
                    if workers > 1 {
                        parallelFor(workers) { worker in
                            for plane in stride(from: worker, to: planes, by: workers) { split(plane) }
                        }
                    } else {
                        for plane in 0..<planes { split(plane) }
                    }
                }
            }
        }

        /// Source and destination handed to the per-plane tasks; each writes its own planes.
        private struct CopyPointers: @unchecked Sendable {
            let src: UnsafePointer<Float>
            let dst: UnsafeMutablePointer<Float>
        }
    }

    /// Writes the column matrix (`K × (r1−r0)·outCols`, rows `rowPitch` apart, by default
    /// `(r1−r0)·outCols`) for output rows `r0..<r1` of one sample laid out as `ph`: every row
    /// segment is a contiguous copy.
    func im2col(
        _ src: UnsafePointer<Float>, _ ph: PhaseLayout, outCols: Int,
        r0: Int, r1: Int, into col: UnsafeMutablePointer<Float>, rowPitch: Int? = nil
    ) {
        let P = rowPitch ?? (r1 - r0) * outCols
        let H = ph.rows
        let s = ph.stride
        var row = 0
        for c in 0..<inChannels {
            for ky in 0..<kernelRows {
                for kx in 0..<kernelCols {
                    let dstRow = col + row * P
                    row += 1
                    // Input column ox·s + shift = phase q, index ox + offset.
                    let shift = kx - padX
                    let q = ((shift % s) + s) % s
                    let offset = (shift - q) / s
                    let len = ph.lengths[q]
                    let oxMin = min(outCols, max(0, -offset))
                    let oxMax = max(oxMin, min(outCols, len - offset))
                    let phase = src + ((c * s + q) * H) * ph.pitch
                    for oy in r0..<r1 {
                        let d = dstRow + (oy - r0) * outCols
                        let iy = oy * strideY - padY + ky
                        if iy < 0 || iy >= H || oxMax <= oxMin {
                            d.update(repeating: 0, count: outCols)
                            continue
                        }
                        if oxMin > 0 { d.update(repeating: 0, count: oxMin) }
                        if oxMax < outCols { (d + oxMax).update(repeating: 0, count: outCols - oxMax) }
                        (d + oxMin).update(from: phase + iy * ph.pitch + offset + oxMin, count: oxMax - oxMin)
                    }
                }
            }
        }
    }

    /// Adds the bias and applies the ReLU to one band of every output plane.
    private func finish(_ out: UnsafeMutablePointer<Float>, count: Int, planeStride: Int) {
        if bias.isEmpty && !relu { return }
        for f in 0..<outChannels {
            let p = out + f * planeStride
            let b = bias.isEmpty ? 0 : bias[f]
            if relu {
                for i in 0..<count { p[i] = max(p[i] + b, 0) }
            } else {
                for i in 0..<count { p[i] += b }
            }
        }
    }
}
