/// dlib's `affine_` layer: `y = gamma · x + beta`, one pair per channel (`CONV_MODE`) or one
/// pair per element of a sample (`FC_MODE`). Batch-norm layers are stored as this after
/// dlib's own conversion (`gamma / sqrt(var + eps)`, `beta − mean · gamma'`).
struct Affine: Sendable {
    /// Per channel or per element.
    enum Mode: Sendable { case perChannel, perElement }
    /// Per channel or per element.
    let mode: Mode
    /// Scales.
    var gamma: [Float]
    /// Offsets.
    var beta: [Float]

    /// Applies the affine map in place.
    func apply(_ t: inout Tensor) {
        let plane = t.planeSize
        let k = t.k
        let sample = t.sampleSize
        precondition(mode == .perChannel ? gamma.count == k : gamma.count == sample, "Affine: parameter size does not match input")
        t.data.withUnsafeMutableBufferPointer { d in
            for s in 0..<t.n {
                let base = d.baseAddress! + s * sample
                if mode == .perChannel {
                    for c in 0..<k {
                        let p = base + c * plane
                        let g = gamma[c]
                        let b = beta[c]
                        for i in 0..<plane { p[i] = g * p[i] + b }
                    }
                } else {
                    for i in 0..<sample { base[i] = gamma[i] * base[i] + beta[i] }
                }
            }
        }
    }
}

extension Tensor {
    /// `max(x, 0)` element-wise, in place.
    mutating func applyReLU() {
        data.withUnsafeMutableBufferPointer { d in
            for i in 0..<d.count { d[i] = max(d[i], 0) }
        }
    }

    /// dlib's `tt::add(dest, a, b)` as used by `add_prev_`: the result has the larger of each
    /// dimension, and where one operand lacks an index it contributes zero.
    static func dlibAdd(_ a: Tensor, _ b: Tensor) -> Tensor {
        if a.shape == b.shape {
            var out = a
            out.data.withUnsafeMutableBufferPointer { o in
                b.data.withUnsafeBufferPointer { bb in
                    for i in 0..<o.count { o[i] += bb[i] }
                }
            }
            return out
        }
        var out = Tensor(n: max(a.n, b.n), k: max(a.k, b.k), nr: max(a.nr, b.nr), nc: max(a.nc, b.nc))
        for src in [a, b] {
            for s in 0..<src.n {
                for c in 0..<src.k {
                    for r in 0..<src.nr {
                        let so = ((s * src.k + c) * src.nr + r) * src.nc
                        let dof = ((s * out.k + c) * out.nr + r) * out.nc
                        for x in 0..<src.nc { out.data[dof + x] += src.data[so + x] }
                    }
                }
            }
        }
        return out
    }
}

/// dlib's `fc_` layer: each sample flattened to `inputs` values, times an `inputs × outputs`
/// weight matrix (dlib's layout), plus an optional bias.
struct FullyConnected: Sendable {
    /// Values per input sample.
    let inputs: Int
    /// Values per output sample.
    let outputs: Int
    /// `inputs × outputs`, row-major.
    var weights: FloatStorage
    /// `outputs` biases, or empty.
    var bias: [Float]

    /// Output shape `n × outputs × 1 × 1`.
    func forward(_ input: Tensor) -> Tensor {
        precondition(input.sampleSize == inputs, "FullyConnected: expected \(inputs) inputs, got \(input.sampleSize)")
        var out = Tensor(n: input.n, k: outputs, nr: 1, nc: 1)
        if input.n == 0 { return out }
        input.data.withUnsafeBufferPointer { x in
            weights.withUnsafeBufferPointer { w in
                out.data.withUnsafeMutableBufferPointer { o in
                    BLASKernels.multiply(
                        m: input.n, n: outputs, k: inputs, a: x.baseAddress!, lda: inputs, b: w.baseAddress!, ldb: outputs,
                        c: o.baseAddress!, ldc: outputs)
                }
            }
        }
        if !bias.isEmpty {
            for s in 0..<input.n { for j in 0..<outputs { out.data[s * outputs + j] += bias[j] } }
        }
        return out
    }
}
