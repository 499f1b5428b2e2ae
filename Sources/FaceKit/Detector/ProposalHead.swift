/// A learned proposer for the fine pyramid levels: a linear filter over the features the detector's
/// head reads (the last 5x5 layer's 45 channels), run on the cells of the first whole level only. It
/// scores "a face that the whole run finds on a finer level lies here": such faces are 38-67 px on that
/// level, too small for MMOD's own window (80 px) but not for its features. Trained by
/// `scripts/train-proposal-head` (logistic regression, numpy) on the whole run's fine-level detections and
/// near-misses; the weights are in ``ProposalHead/trained`` (ProposalHeadWeights.swift, generated).
struct ProposalHead: Sendable, Equatable {
    /// Feature channels read per cell.
    let channels: Int
    /// Side of the square of cells read around the scored one (odd).
    let size: Int
    /// The logit above which a cell proposes by default: the highest that still covered every fine-level
    /// detection of the training data, less a margin (see the training script's output in the weights file).
    let threshold: Double
    /// Added to the weighted sum.
    let bias: Float
    /// Weights, `[dy][dx][channel]` over the square (row-major from its top left).
    let weights: [Float]

    /// The logit at cell (`row`, `col`) of `grid` (1 × ``channels`` × rows × cols); neighbours past the grid
    /// repeat its edge cells.
    func score(_ grid: borrowing Tensor, row: Int, col: Int) -> Float {
        let half = size / 2
        let plane = grid.nr * grid.nc
        var sum = bias
        grid.data.withUnsafeBufferPointer { g in
            weights.withUnsafeBufferPointer { w in
                var i = 0
                for dy in -half...half {
                    let r = min(max(row + dy, 0), grid.nr - 1)
                    for dx in -half...half {
                        let c = min(max(col + dx, 0), grid.nc - 1)
                        let base = r * grid.nc + c
                        for k in 0..<channels {
                            sum += w[i] * g[k * plane + base]
                            i += 1
                        }
                    }
                }
            }
        }
        return sum
    }
}
