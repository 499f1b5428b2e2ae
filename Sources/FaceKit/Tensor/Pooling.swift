/// Max or average pooling with dlib's `max_pool_` / `avg_pool_` semantics: window
/// `[c·stride − pad, c·stride − pad + window − 1]`, clipped to the image; the average divides by
/// the clipped window's size. A window of 0×0 pools the whole plane (`*_pool_everything`).
struct Pooling: Sendable {
    /// Which reduction.
    enum Kind: Sendable { case max, average }
    /// Which reduction.
    let kind: Kind
    /// Window height (0: the whole plane).
    let windowRows: Int
    /// Window width (0: the whole plane).
    let windowCols: Int
    /// Vertical stride.
    let strideY: Int
    /// Horizontal stride.
    let strideX: Int
    /// Padding above and below.
    let padY: Int
    /// Padding left and right.
    let padX: Int

    /// Pools every plane of `input`.
    func forward(_ input: Tensor) -> Tensor {
        let wr = windowRows == 0 ? input.nr : windowRows
        let wc = windowCols == 0 ? input.nc : windowCols
        let sy = windowRows == 0 ? 1 : strideY
        let sx = windowCols == 0 ? 1 : strideX
        let py = windowRows == 0 ? 0 : padY
        let px = windowCols == 0 ? 0 : padX
        let outR = max(0, 1 + (input.nr + 2 * py - wr) / sy)
        let outC = max(0, 1 + (input.nc + 2 * px - wc) / sx)
        var output = Tensor(n: input.n, k: input.k, nr: outR, nc: outC)
        let H = input.nr
        let W = input.nc
        input.data.withUnsafeBufferPointer { src in
            output.data.withUnsafeMutableBufferPointer { dst in
                for plane in 0..<(input.n * input.k) {
                    let s = src.baseAddress! + plane * H * W
                    let d = dst.baseAddress! + plane * outR * outC
                    for r in 0..<outR {
                        let top = max(0, r * sy - py)
                        let bottom = min(H - 1, r * sy - py + wr - 1)
                        for c in 0..<outC {
                            let left = max(0, c * sx - px)
                            let right = min(W - 1, c * sx - px + wc - 1)
                            if top > bottom || left > right {
                                d[r * outC + c] = 0
                                continue
                            }
                            if kind == .max {
                                var m = -Float.infinity
                                for y in top...bottom { for x in left...right { m = max(m, s[y * W + x]) } }
                                d[r * outC + c] = m
                            } else {
                                var sum: Float = 0
                                for y in top...bottom { for x in left...right { sum += s[y * W + x] } }
                                d[r * outC + c] = sum / Float((bottom - top + 1) * (right - left + 1))
                            }
                        }
                    }
                }
            }
        }
        return output
    }
}
