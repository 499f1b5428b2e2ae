import CKernels
import Parallel

extension Convolution {
    /// Stride-2 5x5 layers without padding, with enough channels that the four phase channels per
    /// input channel (K = 4 x inChannels) keep the products efficient: the detector's second and
    /// third `con5d` layers (16 and 32 channels). The first (3 channels) stays on the direct kernel.
    var stridedWinogradApplies: Bool {
        padX == 0 && padY == 0 && strideX == 2 && strideY == 2 && kernelRows == 5 && kernelCols == 5 && inChannels >= 8
    }

    /// Tile rows per work item of the strided Winograd path, all tile columns at once: one sgemm
    /// per transform point over the whole row (chunks of 32 tiles keep V in L2, but OpenBLAS's
    /// small-matrix calls then cost more; and more tile rows per item were slower).
    static let stridedWinogradTileRows = 1

    /// CKernels' strided Winograd of every sample (see ``forwardStridedWinograd(_:planeRows:cols:into:planeRows:outCols:rows:)``).
    func forwardStridedWinograd(_ input: borrowing Tensor, into output: inout Tensor) {
        precondition(stridedWinogradApplies && input.k == inChannels)
        let (inSample, outSample) = (input.sampleSize, output.sampleSize)
        let (rows, cols, outR, outC) = (input.nr, input.nc, output.nr, output.nc)
        input.data.withUnsafeBufferPointer { src in
            output.data.withUnsafeMutableBufferPointer { dst in
                for s in 0..<input.n {
                    forwardStridedWinograd(
                        src.baseAddress! + s * inSample, planeRows: rows, cols: cols, into: dst.baseAddress! + s * outSample,
                        planeRows: outR, outCols: outC, rows: 0..<outR)
                }
            }
        }
    }

    /// Output rows `outRows` of one sample, with the pointers and plane sizes of
    /// ``forwardDirect(_:planeRows:cols:into:planeRows:outCols:rows:)``: Winograd F(4x4, 3x3) over
    /// the input's four phase images (CKernels' transforms around 36 sgemm products per tile row).
    /// Tile rows (4 output rows each) start at `outRows.lowerBound` and are spread over the workers;
    /// each writes only its own rows, so the result does not depend on the thread count. A value
    /// depends on its row's place in its tile, so bands that start elsewhere may round differently.
    func forwardStridedWinograd(
        _ input: UnsafePointer<Float>, planeRows inPlaneRows: Int, cols: Int, into output: UnsafeMutablePointer<Float>,
        planeRows outPlaneRows: Int, outCols: Int, rows outRows: Range<Int>
    ) {
        precondition(stridedWinogradApplies)
        let C = inChannels
        let F = outChannels
        let K = 4 * C
        let tileRows = Self.stridedWinogradTileRows
        let rowsPerItem = 4 * tileRows
        let items = (outRows.count + rowsPerItem - 1) / rowsPerItem
        let tiles = Int(ck_winograd5s2_tile_stride(Int32(outCols)))
        let T = tileRows * tiles
        var U = [Float](repeating: 0, count: 36 * F * K)
        weights.withUnsafeBufferPointer { w in
            U.withUnsafeMutableBufferPointer { u in ck_winograd5s2_filter_transform(w.baseAddress!, Int32(F), Int32(C), u.baseAddress!) }
        }
        let scratchCount = Int(ck_winograd5s2_scratch_floats(Int32(C), Int32(outCols), Int32(tileRows)))
        let relu: Int32 = self.relu ? 1 : 0
        let bias = self.bias
        let workers = max(1, min(FaceKitThreads.current, items))
        U.withUnsafeBufferPointer { u in
            bias.withUnsafeBufferPointer { b in
                let shared = StridedWinogradPointers(src: input, dst: output, u: u.baseAddress!, bias: b.isEmpty ? nil : b.baseAddress)
                let work: @Sendable (Int) -> Void = { worker in
                    // Every float of these is written before it is read (the split zero-fills its edges).
                    let v = UnsafeMutablePointer<Float>.allocate(capacity: 36 * K * T)
                    let m = UnsafeMutablePointer<Float>.allocate(capacity: 36 * F * T)
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
                    defer {
                        v.deallocate()
                        m.deallocate()
                        scratch.deallocate()
                    }
                    var item = worker
                    while item < items {
                        let r0 = outRows.lowerBound + item * rowsPerItem
                        let n = min(outRows.upperBound - r0, rowsPerItem)
                        ck_winograd5s2_split(
                            shared.src + 2 * r0 * cols, Int32(C), Int32(inPlaneRows), Int32(cols), Int32(2 * (n - 1) + 5), Int32(outCols),
                            Int32(tileRows), scratch)
                        ck_winograd5s2_input_transform(scratch, Int32(C), Int32(outCols), Int32(tileRows), 0, Int32(tiles), v)
                        for p in 0..<36 {
                            BLASKernels.multiply(
                                m: F, n: T, k: K, a: shared.u + p * F * K, lda: K, b: v + p * K * T, ldb: T, c: m + p * F * T, ldc: T)
                        }
                        ck_winograd5s2_output_transform(
                            m, Int32(F), Int32(tileRows), 0, Int32(tiles), Int32(outCols), Int32(n), Int32(outPlaneRows), shared.bias, relu,
                            shared.dst + r0 * outCols)
                        item += workers
                    }
                }
                if workers == 1 { work(0) } else { parallelFor(workers, work) }
            }
        }
    }

    /// Raw pointers handed to the strided Winograd workers; each writes disjoint output rows.
    private struct StridedWinogradPointers: @unchecked Sendable {
        let src: UnsafePointer<Float>
        let dst: UnsafeMutablePointer<Float>
        let u: UnsafePointer<Float>
        let bias: UnsafePointer<Float>?
    }

    /// Rows of one sample, as ``forwardDirect(_:planeRows:cols:into:planeRows:outCols:rows:)``, by
    /// the strided Winograd kernel where it is the layer's preferred kernel, else by the direct one.
    func forwardUnpadded(
        _ input: UnsafePointer<Float>, planeRows inPlaneRows: Int, cols: Int, into output: UnsafeMutablePointer<Float>,
        planeRows outPlaneRows: Int, outCols: Int, rows outRows: Range<Int>
    ) {
        if preferredKernel == .stridedWinograd {
            forwardStridedWinograd(
                input, planeRows: inPlaneRows, cols: cols, into: output, planeRows: outPlaneRows, outCols: outCols, rows: outRows)
        } else {
            forwardDirect(input, planeRows: inPlaneRows, cols: cols, into: output, planeRows: outPlaneRows, outCols: outCols, rows: outRows)
        }
    }
}
