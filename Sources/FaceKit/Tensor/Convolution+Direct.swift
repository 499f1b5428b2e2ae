import CKernels
import Parallel

extension Convolution {
    /// Unpadded, equal strides of 2 or more, filters in fours: the detector's `con5d` layers, which
    /// im2col + sgemm serve badly (few filters for the long column matrix it copies and packs).
    var directApplies: Bool {
        padX == 0 && padY == 0 && strideX == strideY && strideX >= 2 && outChannels % 4 == 0 && kernelCols <= 64
    }

    /// Output rows per work item of the direct path.
    static let directBandRows = 8

    /// CKernels' direct convolution, bands of output rows spread over the workers; every output
    /// value is the same sum whatever the band or thread count.
    func forwardDirect(_ input: borrowing Tensor, into output: inout Tensor) {
        precondition(directApplies && input.k == inChannels)
        let rows = input.nr
        let cols = input.nc
        let outR = output.nr
        let outC = output.nc
        let C = inChannels
        let F = outChannels
        let bands = (outR + Self.directBandRows - 1) / Self.directBandRows
        let items = input.n * bands
        let inSample = input.sampleSize
        let outSample = output.sampleSize
        var packed = [Float](repeating: 0, count: Int(ck_direct_packed_floats(Int32(F), Int32(C), Int32(kernelRows), Int32(kernelCols))))
        weights.withUnsafeBufferPointer { w in
            packed.withUnsafeMutableBufferPointer { p in
                ck_direct_pack_weights(w.baseAddress!, Int32(F), Int32(C), Int32(kernelRows), Int32(kernelCols), p.baseAddress!)
            }
        }
        let scratchCount = Int(ck_direct_scratch_floats(Int32(C), Int32(outC), Int32(kernelRows), Int32(kernelCols), Int32(strideX)))
        let (kr, kc, s, relu) = (Int32(kernelRows), Int32(kernelCols), Int32(strideX), Int32(self.relu ? 1 : 0))
        let bias = self.bias
        let workers = max(1, min(FaceKitThreads.current, items))
        input.data.withUnsafeBufferPointer { src in
            output.data.withUnsafeMutableBufferPointer { dst in
                packed.withUnsafeBufferPointer { p in
                    bias.withUnsafeBufferPointer { b in
                        let shared = DirectPointers(
                            src: src.baseAddress!, dst: dst.baseAddress!, packed: p.baseAddress!, bias: b.isEmpty ? nil : b.baseAddress)
                        let work: @Sendable (Int) -> Void = { worker in
                            var scratch = [Float](repeating: 0, count: scratchCount)
                            scratch.withUnsafeMutableBufferPointer { scratch in
                                var item = worker
                                while item < items {
                                    let sample = item / bands
                                    let r0 = (item % bands) * Self.directBandRows
                                    let r1 = min(outR, r0 + Self.directBandRows)
                                    ck_direct_convolution(
                                        shared.src + sample * inSample, Int32(C), Int32(rows), Int32(cols), shared.packed, Int32(F), kr, kc,
                                        s,
                                        shared.bias, relu, Int32(r0), Int32(r1), shared.dst + sample * outSample, Int32(outR), Int32(outC),
                                        scratch.baseAddress!)
                                    item += workers
                                }
                            }
                        }
                        if workers == 1 { work(0) } else { parallelFor(workers, work) }
                    }
                }
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
