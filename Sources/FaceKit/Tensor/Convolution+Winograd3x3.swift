import CKernels
import Parallel
import Synchronization

/// A layer's Winograd F(2x2, 3x3) filter matrices (16 x filters x channels), computed on first use
/// and kept: ``DlibNetworkGraph`` gives one to each such layer, whose weights no longer change, so a
/// network transforms its 4 M filter values once instead of once per batch.
final class Winograd3x3Filters: Sendable {
    private let matrices = Mutex<[Float]?>(nil)

    /// The transformed filters of `conv` (the first caller computes them; later callers share them).
    func matrices(of conv: Convolution) -> [Float] {
        matrices.withLock { cached in
            if let cached { return cached }
            let u = conv.winograd3x3Transform()
            cached = u
            return u
        }
    }
}

extension Convolution {
    /// Stride 1, 3x3, padding 1 and enough channels that the transforms cost little next to the
    /// products: the face descriptor ResNet's 3x3 layers.
    var winograd3x3Applies: Bool {
        strideX == 1 && strideY == 1 && kernelRows == 3 && kernelCols == 3 && padX == 1 && padY == 1
            && inChannels >= 8 && outChannels >= 8
    }

    /// Whether Winograd beats sgemm for this layer, counting the filter transform a fresh process
    /// pays on first use. Up to 128 x 128 filters (U: 1 MB) it does. Wider layers (the ResNet's
    /// five 256 x 256 ones) run on ``forwardBatchedColumns`` instead: warm, Winograd saved only
    /// 0.8 of 2.8 ms per layer on 15 chips, while transforming their 2.4 MB of filters into 4.2 MB
    /// cost about 5 ms each (page faults, mostly) in the first batch of a process.
    var winograd3x3Pays: Bool { outChannels * inChannels <= 128 * 128 }

    /// The 16 filter matrices U[p] (F x C each), transformed now.
    func winograd3x3Transform() -> [Float] {
        var u = [Float](repeating: 0, count: 16 * outChannels * inChannels)
        weights.withUnsafeBufferPointer { w in
            u.withUnsafeMutableBufferPointer { u in
                ck_winograd3_filter_transform(w.baseAddress!, Int32(outChannels), Int32(inChannels), u.baseAddress!)
            }
        }
        return u
    }

    /// Winograd F(2x2, 3x3) over chunks of whole samples: each chunk's tiles go through one product
    /// per transform point, so the small maps of the deep layers share each filter matrix across
    /// the batch. Chunks are spread over the workers; when there are fewer chunks than workers, the
    /// 16 products of a chunk are. Chunk sizes do not depend on the thread count, so neither do the values.
    func forwardWinograd3x3(_ input: borrowing Tensor, into output: inout Tensor) {
        precondition(winograd3x3Applies && input.k == inChannels)
        let n = input.n
        let (rows, cols, F, C) = (input.nr, input.nc, outChannels, inChannels)
        let tilesPerSample = Int(ck_winograd3_tiles(Int32(rows))) * Int(ck_winograd3_tiles(Int32(cols)))
        let perChunk = max(1, min(n, Self.winogradBudget / (16 * max(C, F) * tilesPerSample)))
        let chunks = (n + perChunk - 1) / perChunk
        let ld = perChunk * tilesPerSample + 8 // row pitch of V and M: room for the transforms' eight-tile moves
        let threads = FaceKitThreads.current
        let workers = max(1, min(threads, chunks))
        let productWorkers = workers == 1 ? min(threads, 16) : 1
        let scratchFloats = Int(ck_winograd3_scratch_floats(Int32(rows), Int32(cols)))
        let (inSample, outSample) = (input.sampleSize, output.sampleSize)
        let u = winograd3x3Filters?.matrices(of: self) ?? winograd3x3Transform()
        let (bias, relu) = (self.bias, self.relu)
        input.data.withUnsafeBufferPointer { src in
            output.data.withUnsafeMutableBufferPointer { dst in
                u.withUnsafeBufferPointer { u in
                    bias.withUnsafeBufferPointer { b in
                        let shared = Winograd3x3Pointers(
                            src: src.baseAddress!, dst: dst.baseAddress!, u: u.baseAddress!, bias: b.isEmpty ? nil : b.baseAddress)
                        let work: @Sendable (Int) -> Void = { worker in
                            var v = [Float](repeating: 0, count: 16 * C * ld)
                            var m = [Float](repeating: 0, count: 16 * F * ld)
                            var scratch = [Float](repeating: 0, count: scratchFloats)
                            v.withUnsafeMutableBufferPointer { v in
                                m.withUnsafeMutableBufferPointer { m in
                                    scratch.withUnsafeMutableBufferPointer { scratch in
                                        let buffers = Winograd3x3Buffers(v: v.baseAddress!, m: m.baseAddress!)
                                        var chunk = worker
                                        while chunk < chunks {
                                            let s0 = chunk * perChunk
                                            let samples = min(perChunk, n - s0)
                                            let T = samples * tilesPerSample
                                            ck_winograd3_input_transform(
                                                shared.src + s0 * inSample, Int32(samples), Int32(C), Int32(rows), Int32(cols), buffers.v,
                                                ld, scratch.baseAddress!)
                                            let product: @Sendable (Int) -> Void = { first in
                                                for p in stride(from: first, to: 16, by: productWorkers) {
                                                    BLASKernels.multiply(
                                                        m: F, n: T, k: C, a: shared.u + p * F * C, lda: C, b: buffers.v + p * C * ld,
                                                        ldb: ld,
                                                        c: buffers.m + p * F * ld, ldc: ld)
                                                }
                                            }
                                            if productWorkers == 1 { product(0) } else { parallelFor(productWorkers, product) }
                                            ck_winograd3_output_transform(
                                                buffers.m, ld, Int32(samples), Int32(F), Int32(rows), Int32(cols), shared.bias,
                                                relu ? 1 : 0,
                                                shared.dst + s0 * outSample)
                                            chunk += workers
                                        }
                                    }
                                }
                            }
                        }
                        if workers == 1 { work(0) } else { parallelFor(workers, work) }
                    }
                }
            }
        }
    }

    /// Raw pointers handed to the workers; each writes the outputs of its own samples.
    private struct Winograd3x3Pointers: @unchecked Sendable {
        let src: UnsafePointer<Float>
        let dst: UnsafeMutablePointer<Float>
        let u: UnsafePointer<Float>
        let bias: UnsafePointer<Float>?
    }

    /// One worker's transformed inputs and products, shared with the threads of its products
    /// (each writes its own transform points of M).
    private struct Winograd3x3Buffers: @unchecked Sendable {
        let v: UnsafeMutablePointer<Float>
        let m: UnsafeMutablePointer<Float>
    }
}
