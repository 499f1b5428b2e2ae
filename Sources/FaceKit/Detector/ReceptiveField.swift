/// Which input pixels each output cell of a convolution-only network reads: along each axis, cell `c`
/// reads input `[c·stride + low, c·stride + high]`. Lets the detector run the network on a crop of its
/// input and know which output cells came out exactly as they would on the whole input.
struct ReceptiveField: Sendable, Equatable {
    /// One convolution's geometry along one axis.
    struct Layer: Sendable, Equatable {
        var kernel: Int
        var stride: Int
        var pad: Int
    }

    /// Input pixels between neighbouring output cells (the product of the strides).
    let stride: Int
    let lowX: Int
    let highX: Int
    let lowY: Int
    let highY: Int
    let layersX: [Layer]
    let layersY: [Layer]

    /// The field of a network made of convolutions, affine layers and ReLUs only (anything else: nil).
    init?(_ steps: [DlibNetworkGraph.Step]) {
        var xs: [Layer] = []
        var ys: [Layer] = []
        for step in steps {
            switch step {
            case .convolution(let c):
                xs.append(Layer(kernel: c.kernelCols, stride: c.strideX, pad: c.padX))
                ys.append(Layer(kernel: c.kernelRows, stride: c.strideY, pad: c.padY))
            case .affine, .relu: continue
            default: return nil
            }
        }
        func span(_ layers: [Layer]) -> (stride: Int, low: Int, high: Int) {
            var low = 0
            var high = 0
            var stride = 1
            for l in layers.reversed() {
                low = low * l.stride - l.pad
                high = high * l.stride - l.pad + l.kernel - 1
                stride *= l.stride
            }
            return (stride, low, high)
        }
        let x = span(xs)
        let y = span(ys)
        guard x.stride == y.stride, x.stride >= 1 else { return nil }
        stride = x.stride
        (lowX, highX, lowY, highY) = (x.low, x.high, y.low, y.high)
        layersX = xs
        layersY = ys
    }

    /// Output cells for `n` input pixels along one axis (dlib: `1 + (n + 2·pad − k) / stride` per layer).
    static func outputCount(_ n: Int, _ layers: [Layer]) -> Int {
        var n = n
        for l in layers {
            let next = n + 2 * l.pad - l.kernel
            guard next >= 0 else { return 0 }
            n = 1 + next / l.stride
        }
        return n
    }

    /// Output rows and columns for an input of `rows × cols`.
    func outputSize(rows: Int, cols: Int) -> (rows: Int, cols: Int) {
        (Self.outputCount(rows, layersY), Self.outputCount(cols, layersX))
    }
}

/// A rectangle of output cells (inclusive), or of input pixels.
struct CellRect: Sendable, Equatable {
    var top: Int
    var left: Int
    var bottom: Int
    var right: Int
    var area: Int { bottom < top || right < left ? 0 : (bottom - top + 1) * (right - left + 1) }
    func union(_ o: CellRect) -> CellRect {
        CellRect(top: min(top, o.top), left: min(left, o.left), bottom: max(bottom, o.bottom), right: max(right, o.right))
    }
}
