import CKernels
import Parallel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The ways ``Convolution`` can compute a layer.
enum ConvolutionKernel: Sendable {
    /// im2col + OpenBLAS sgemm: every shape.
    case blas
    /// Winograd F(4x4, 5x5) (CKernels' transforms around 64 sgemm products): stride-1 5x5 layers
    /// padded by 2, such as the detector's three `con5` 45-filter layers. 6.25x fewer multiplications;
    /// values differ from the direct sum by float rounding (a few 1e-6 of the layer's magnitude).
    /// Also F(2x2, 3x3) (16 products, 2.25x fewer) for stride-1 3x3 layers padded by 1, such as the
    /// descriptor ResNet's (Convolution+Winograd3x3.swift).
    case winograd
    /// CKernels' direct convolution (no im2col, no packing): unpadded strided layers, such as the
    /// detector's first `con5d` layer.
    case direct
    /// Winograd F(4x4, 3x3) over the input's four phase images (CKernels' transforms around 36
    /// sgemm products): stride-2 5x5 layers without padding and with 8 or more channels, such as
    /// the detector's second and third `con5d` layers. 2.8x fewer multiplications than `direct`;
    /// values differ from the direct sum by float rounding (about 1e-6 of the layer's magnitude).
    case stridedWinograd

    /// Set `FACEKIT_KERNELS=blas` to run every layer on im2col + sgemm (before/after measurements).
    static let onlyBLAS = ProcessInfo.processInfo.environment["FACEKIT_KERNELS"] == "blas"

    /// The CKernels builds this CPU runs: 0 baseline, 1 AVX2+FMA, 2 AVX-512 (direct kernel; Winograd uses AVX2+FMA).
    /// `FACEKIT_KERNEL_LEVEL=1` (or 0), read once, caps it: AVX2-only hosts measured on an AVX-512 one.
    static var cpuLevel: Int { Int(ck_cpu_kernel_level()) }

    /// Tests: runs CKernels' builds up to `level` (0 baseline, 1 AVX2+FMA) while `body` runs. The limit is
    /// process-wide, so a test waits here while another suite's test holds one (calls must not nest).
    static func withKernelLevel<R>(_ level: Int, _ body: () throws -> R) rethrows -> R {
        ck_acquire_kernel_level_limit(Int32(level))
        defer { ck_release_kernel_level_limit() }
        return try body()
    }
}

extension Convolution {
    /// The kernel `forward` uses for this layer.
    var preferredKernel: ConvolutionKernel {
        if ConvolutionKernel.onlyBLAS { return .blas }
        if winogradApplies || winograd3x3Applies { return .winograd }
        if stridedWinogradApplies { return .stridedWinograd }
        if directApplies { return .direct }
        return .blas
    }

    /// Stride 1, 5x5, padding 2 and enough channels that the transforms cost little next to the products.
    var winogradApplies: Bool {
        strideX == 1 && strideY == 1 && kernelRows == 5 && kernelCols == 5 && padX == 2 && padY == 2
            && inChannels >= 8 && outChannels >= 8
    }

    /// Upper bound on each of the transformed-input and product buffers, in floats (2 MB).
    static let winogradBudget = 1 << 19

    /// Winograd F(4x4, 5x5) over bands of tile rows (four output rows each), bands spread over the
    /// workers as in the sgemm path; each band writes only its own output rows, so the result does
    /// not depend on the thread count.
    func forwardWinograd(_ input: borrowing Tensor, into output: inout Tensor) {
        precondition(winogradApplies && input.k == inChannels)
        let rows = input.nr
        let cols = input.nc
        let F = outChannels
        let C = inChannels
        let tileStride = Int(ck_winograd5_tile_stride(Int32(cols)))
        let tilesY = (rows + 3) / 4
        let tileRowsPerBand = max(1, min(tilesY, Self.winogradBudget / (64 * max(C, F) * tileStride)))
        let bandsPerSample = (tilesY + tileRowsPerBand - 1) / tileRowsPerBand
        let items = input.n * bandsPerSample
        let inSample = input.sampleSize
        let outSample = output.sampleSize
        var U = [Float](repeating: 0, count: 64 * F * C)
        weights.withUnsafeBufferPointer { w in
            U.withUnsafeMutableBufferPointer { u in ck_winograd5_filter_transform(w.baseAddress!, Int32(F), Int32(C), u.baseAddress!) }
        }
        let bias = self.bias
        let relu = self.relu
        let workers = max(1, min(FaceKitThreads.current, items))
        input.data.withUnsafeBufferPointer { src in
            output.data.withUnsafeMutableBufferPointer { dst in
                U.withUnsafeBufferPointer { u in
                    bias.withUnsafeBufferPointer { b in
                        let shared = WinogradPointers(
                            src: src.baseAddress!, dst: dst.baseAddress!, u: u.baseAddress!, bias: b.isEmpty ? nil : b.baseAddress)
                        let work: @Sendable (Int) -> Void = { worker in
                            let maxT = tileRowsPerBand * tileStride
                            var v = [Float](repeating: 0, count: 64 * C * maxT)
                            var m = [Float](repeating: 0, count: 64 * F * maxT)
                            var scratch = [Float](
                                repeating: 0, count: Int(ck_winograd5_scratch_floats(Int32(cols), Int32(tileRowsPerBand))))
                            v.withUnsafeMutableBufferPointer { v in
                                m.withUnsafeMutableBufferPointer { m in
                                    scratch.withUnsafeMutableBufferPointer { scratch in
                                        var item = worker
                                        while item < items {
                                            let s = item / bandsPerSample
                                            let t0 = (item % bandsPerSample) * tileRowsPerBand
                                            let tileRows = min(tileRowsPerBand, tilesY - t0)
                                            let T = tileRows * tileStride
                                            ck_winograd5_input_transform(
                                                shared.src + s * inSample, Int32(C), Int32(rows), Int32(cols), Int32(t0), Int32(tileRows),
                                                v.baseAddress!, scratch.baseAddress!)
                                            for p in 0..<64 {
                                                BLASKernels.multiply(
                                                    m: F, n: T, k: C, a: shared.u + p * F * C, lda: C, b: v.baseAddress! + p * C * T,
                                                    ldb: T,
                                                    c: m.baseAddress! + p * F * T, ldc: T)
                                            }
                                            ck_winograd5_output_transform(
                                                m.baseAddress!, Int32(F), Int32(rows), Int32(cols), Int32(t0), Int32(tileRows), shared.bias,
                                                relu ? 1 : 0, shared.dst + s * outSample)
                                            item += workers
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

    /// Raw pointers handed to the Winograd workers; each writes disjoint output rows.
    private struct WinogradPointers: @unchecked Sendable {
        let src: UnsafePointer<Float>
        let dst: UnsafeMutablePointer<Float>
        let u: UnsafePointer<Float>
        let bias: UnsafePointer<Float>?
    }
}
