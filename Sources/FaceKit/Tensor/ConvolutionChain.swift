/// Consecutive strided convolutions (the detector's "downsampler") evaluated one band of the
/// last layer's output rows at a time, so the large intermediate tensors are never whole.
///
/// On a 4 MP photo the detector's first two layers write 230 MB and 115 MB (plus their column
/// phases); in bands of ``bandRows`` every buffer stays a few MB to 20 MB, which glibc serves again
/// from the heap band after band instead of mapping fresh zeroed pages each time (the page faults
/// were ~30% of the detector's CPU). Each band recomputes the few rows its neighbour also needs
/// (the kernels' overlap, under 5% of these layers' work at 64 rows). Every output element is the
/// same sum over the same inputs as in the whole-tensor layers; sgemm may order it differently at a
/// band's edge columns, and the strided Winograd kernel rounds by a row's place in its 4-row tile,
/// so values can differ in the last bits (as between `Convolution`'s own bands).
struct ConvolutionChain: Sendable {
    /// The layers, each fed by the previous one.
    let layers: [Convolution]
    /// Rows of the last layer's output per band.
    let bandRows: Int

    /// Output rows of the last layer for `rows` input rows, and every layer's input row count.
    func rowCounts(_ rows: Int) -> [Int] {
        layers.reduce(into: [rows]) { counts, layer in counts.append(layer.outputRows(counts.last!)) }
    }

    /// Applies the layers to a single-sample `input`; equal to applying them one after another.
    func forward(_ input: consuming Tensor) -> Tensor {
        precondition(input.n == 1, "ConvolutionChain: one sample at a time")
        let rows = rowCounts(input.nr)
        let cols = layers.reduce(into: [input.nc]) { counts, layer in counts.append(layer.outputCols(counts.last!)) }
        guard let last = layers.last, rows.allSatisfy({ $0 > 0 }), cols.allSatisfy({ $0 > 0 }) else {
            var x = consume input
            for layer in layers { x = layer.forward(consume x) }
            return x
        }
        if layers.allSatisfy({ $0.preferredKernel == .direct || $0.preferredKernel == .stridedWinograd }) {
            return forwardDirect(input, rows: rows, cols: cols)
        }
        // The same layers without vertical padding: each band carries its padding rows as zeros.
        let unpadded = layers.map { c in
            Convolution(
                outChannels: c.outChannels, inChannels: c.inChannels, kernelRows: c.kernelRows, kernelCols: c.kernelCols,
                strideY: c.strideY, strideX: c.strideX, padY: 0, padX: c.padX, weights: c.weights, bias: c.bias, relu: c.relu)
        }
        let outRows = rows[layers.count]
        var output = Tensor(uninitializedN: 1, k: last.outChannels, nr: outRows, nc: cols[layers.count])
        for a in stride(from: 0, to: outRows, by: bandRows) {
            // Row ranges each layer must produce (may reach outside its output: those are padding).
            var wanted = [(lo: Int, hi: Int)](repeating: (0, 0), count: layers.count + 1)
            wanted[layers.count] = (a, min(outRows, a + bandRows))
            for l in stride(from: layers.count - 1, through: 0, by: -1) {
                let c = layers[l]
                let (lo, hi) = wanted[l + 1]
                wanted[l] = (lo * c.strideY - c.padY, (hi - 1) * c.strideY - c.padY + c.kernelRows)
            }
            var x = Self.rows(of: input, wanted[0].lo..<wanted[0].hi)
            for l in layers.indices {
                x = unpadded[l].forward(consume x)
                if l < layers.count - 1 { Self.zeroRows(of: &x, outside: 0..<rows[l + 1], first: wanted[l + 1].lo) }
            }
            Self.copy(x, intoRowsFrom: a, of: &output)
        }
        return output
    }

    /// The chain when every layer runs CKernels' direct or strided Winograd kernel (unpadded, so a band's rows all lie
    /// inside each layer's input): each band goes from layer to layer through two buffers allocated
    /// once, the first layer reading the input in place and the last writing the output in place,
    /// instead of a fresh zero-filled copy and a fresh tensor per layer and band (their page faults
    /// and copies cost about as much as the arithmetic). The direct kernel sums each output the same
    /// way whatever rows it is asked for; the Winograd one rounds by the row's place in its 4-row
    /// tile, so its layers match the whole-tensor ones within float rounding.
    private func forwardDirect(_ input: borrowing Tensor, rows: [Int], cols: [Int]) -> Tensor {
        let count = layers.count
        let outRows = rows[count]
        var output = Tensor(uninitializedN: 1, k: layers[count - 1].outChannels, nr: outRows, nc: cols[count])
        // Rows of layer l's output that band [a, a + bandRows) of the last layer needs (pad 0: inside).
        func wanted(_ a: Int) -> [Range<Int>] {
            var w = [Range<Int>](repeating: 0..<0, count: count + 1)
            w[count] = a..<min(outRows, a + bandRows)
            for l in stride(from: count - 1, through: 1, by: -1) {
                let c = layers[l]
                w[l] = w[l + 1].lowerBound * c.strideY..<((w[l + 1].upperBound - 1) * c.strideY + c.kernelRows)
            }
            return w
        }
        // The buffers hold the intermediate layers' outputs, alternately; sized for the largest band.
        var capacity = 0
        for a in stride(from: 0, to: outRows, by: bandRows) {
            let w = wanted(a)
            for l in 1..<count { capacity = max(capacity, layers[l - 1].outChannels * w[l].count * cols[l]) }
        }
        var even = [Float](unsafeUninitializedCapacity: capacity) { _, n in n = capacity }
        var odd = [Float](unsafeUninitializedCapacity: capacity) { _, n in n = capacity }
        input.data.withUnsafeBufferPointer { src in
            output.data.withUnsafeMutableBufferPointer { dst in
                even.withUnsafeMutableBufferPointer { even in
                    odd.withUnsafeMutableBufferPointer { odd in
                        let buffer = [even.baseAddress!, odd.baseAddress!] // layer l writes buffer[l % 2]
                        for a in stride(from: 0, to: outRows, by: bandRows) {
                            let w = wanted(a)
                            for l in 0..<count {
                                // Output row j of the band reads input rows j·stride + ky from `from`.
                                let from: UnsafePointer<Float>
                                let fromPlaneRows: Int
                                if l == 0 {
                                    from = src.baseAddress! + w[1].lowerBound * layers[0].strideY * cols[0]
                                    fromPlaneRows = rows[0]
                                } else {
                                    from = UnsafePointer(buffer[(l - 1) % 2])
                                    fromPlaneRows = w[l].count
                                }
                                let last = l == count - 1
                                layers[l].forwardUnpadded(
                                    from, planeRows: fromPlaneRows, cols: cols[l],
                                    into: last ? dst.baseAddress! + a * cols[count] : buffer[l % 2],
                                    planeRows: last ? outRows : w[l + 1].count, outCols: cols[l + 1], rows: 0..<w[l + 1].count)
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// Rows `range` of a single-sample tensor, rows outside it zero.
    static func rows(of t: borrowing Tensor, _ range: Range<Int>) -> Tensor {
        var out = Tensor(n: 1, k: t.k, nr: range.count, nc: t.nc)
        let valid = max(0, range.lowerBound)..<min(t.nr, range.upperBound)
        guard !valid.isEmpty else { return out }
        let nc = t.nc
        let nr = t.nr
        let outRows = range.count
        t.data.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                for ch in 0..<t.k {
                    (dst.baseAddress! + (ch * outRows + valid.lowerBound - range.lowerBound) * nc)
                        .update(from: src.baseAddress! + (ch * nr + valid.lowerBound) * nc, count: valid.count * nc)
                }
            }
        }
        return out
    }

    /// Zeroes the rows of `t` (whose row 0 is row `first` of its layer) that lie outside `valid`.
    static func zeroRows(of t: inout Tensor, outside valid: Range<Int>, first: Int) {
        let nr = t.nr
        let nc = t.nc
        let k = t.k
        let keep = max(0, valid.lowerBound - first)..<max(0, min(nr, valid.upperBound - first))
        if keep.count == nr { return }
        t.data.withUnsafeMutableBufferPointer { d in
            for ch in 0..<k {
                let plane = d.baseAddress! + ch * nr * nc
                if keep.isEmpty {
                    plane.update(repeating: 0, count: nr * nc)
                    continue
                }
                plane.update(repeating: 0, count: keep.lowerBound * nc)
                (plane + keep.upperBound * nc).update(repeating: 0, count: (nr - keep.upperBound) * nc)
            }
        }
    }

    /// Copies every row of `band` into `output` starting at row `row`.
    static func copy(_ band: borrowing Tensor, intoRowsFrom row: Int, of output: inout Tensor) {
        let nc = output.nc
        let nr = output.nr
        let bandRows = band.nr
        band.data.withUnsafeBufferPointer { src in
            output.data.withUnsafeMutableBufferPointer { dst in
                for ch in 0..<band.k {
                    (dst.baseAddress! + (ch * nr + row) * nc).update(from: src.baseAddress! + ch * bandRows * nc, count: bandRows * nc)
                }
            }
        }
    }
}
