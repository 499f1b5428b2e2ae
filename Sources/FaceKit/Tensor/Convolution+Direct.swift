import CKernels
import Parallel

extension Convolution {
    /// Unpadded, equal strides of 2 or more, filters in fours: the detector's `con5d` layers, which
    /// im2col + sgemm serve badly (few filters for the long column matrix it copies and packs).
    var directApplies: Bool {
        padX == 0 && padY == 0 && strideX == strideY && strideX >= 2 && outChannels % 4 == 0 && kernelCols <= 64
    }

    /// Output rows per work item of the direct path.
    static let directBandRows = 4

    /// CKernels' direct convolution of every sample; every output value is the same sum whatever
    /// the band or thread count.
    func forwardDirect(_ input: borrowing Tensor, into output: inout Tensor) {
        precondition(directApplies && input.k == inChannels)
        let (inSample, outSample) = (input.sampleSize, output.sampleSize)
        let (rows, cols, outR, outC) = (input.nr, input.nc, output.nr, output.nc)
        input.data.withUnsafeBufferPointer { src in
            output.data.withUnsafeMutableBufferPointer { dst in
                for s in 0..<input.n {
                    forwardDirect(
                        src.baseAddress! + s * inSample, planeRows: rows, cols: cols, into: dst.baseAddress! + s * outSample,
                        planeRows: outR, outCols: outC, rows: 0..<outR)
                }
            }
        }
    }

    /// Output rows `outRows` of one sample whose channel planes are `planeRows` rows apart, read from
    /// input planes `planeRows` apart (input row `y·stride + ky` for output row `y`, counted from
    /// `input`). Lets ``ConvolutionChain`` run bands through buffers it reuses, reading its input
    /// and writing its output in place. Bands of ``directBandRows`` rows are spread over the workers.
    func forwardDirect(
        _ input: UnsafePointer<Float>, planeRows inPlaneRows: Int, cols: Int, into output: UnsafeMutablePointer<Float>,
        planeRows outPlaneRows: Int, outCols: Int, rows outRows: Range<Int>
    ) {
        precondition(directApplies)
        let C = inChannels
        let F = outChannels
        let bands = (outRows.count + Self.directBandRows - 1) / Self.directBandRows
        var packed = [Float](repeating: 0, count: Int(ck_direct_packed_floats(Int32(F), Int32(C), Int32(kernelRows), Int32(kernelCols))))
        weights.withUnsafeBufferPointer { w in
            packed.withUnsafeMutableBufferPointer { p in
                ck_direct_pack_weights(w.baseAddress!, Int32(F), Int32(C), Int32(kernelRows), Int32(kernelCols), p.baseAddress!)
            }
        }
        let scratchCount = Int(
            ck_direct_scratch_floats(
                Int32(C), Int32(outCols), Int32(kernelRows), Int32(kernelCols), Int32(strideX), Int32(Self.directBandRows)))
        let (kr, kc, s, relu) = (Int32(kernelRows), Int32(kernelCols), Int32(strideX), Int32(self.relu ? 1 : 0))
        let bias = self.bias
        let workers = max(1, min(FaceKitThreads.current, bands))
        packed.withUnsafeBufferPointer { p in
            bias.withUnsafeBufferPointer { b in
                let shared = DirectPointers(src: input, dst: output, packed: p.baseAddress!, bias: b.isEmpty ? nil : b.baseAddress)
                let work: @Sendable (Int) -> Void = { worker in
                    var scratch = [Float](repeating: 0, count: scratchCount)
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        var band = worker
                        while band < bands {
                            let r0 = outRows.lowerBound + band * Self.directBandRows
                            let r1 = min(outRows.upperBound, r0 + Self.directBandRows)
                            ck_direct_convolution(
                                shared.src, Int32(C), Int32(inPlaneRows), Int32(cols), shared.packed, Int32(F), kr, kc, s, shared.bias,
                                relu,
                                Int32(r0), Int32(r1), shared.dst, Int32(outPlaneRows), Int32(outCols), scratch.baseAddress!)
                            band += workers
                        }
                    }
                }
                if workers == 1 { work(0) } else { parallelFor(workers, work) }
            }
        }
    }

    /// Raw pointers handed to the direct-convolution workers; each writes disjoint output rows.
    private struct DirectPointers: @unchecked Sendable {
        let src: UnsafePointer<Float>
        let dst: UnsafeMutablePointer<Float>
        let packed: UnsafePointer<Float>
        let bias: UnsafePointer<Float>?
    }
}
