#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The two-pass search (``ProposalSearch``): the network on crops of the tiled pyramid, keeping
/// only the output cells whose receptive field lies inside the crop, so each kept score is the one
/// the whole-pyramid run computes, up to rounding: the Winograd layers round an output by its tile's
/// whole input patch, which can reach up to 3 cells past the receptive field into the crop's zero
/// padding (worst seen 1.6e-5; the tests allow 5e-5, and check that the boxes are identical).
extension FaceDetector {
    /// Crops start on multiples of this many input pixels: a multiple of the network's stride keeps the
    /// strided layers' sampling grid, and 32 keeps any per-tile arithmetic of up to 4 cells aligned too.
    static let cropAlignment = 32

    /// The score map (one channel per window, dlib's output layout) over `input`, computed on crops:
    /// the cells of the coarse levels, then fine-level cells around pass-A windows above the
    /// proposal threshold (and, with a learned threshold, around first-whole-level cells the
    /// ``ProposalHead`` scores above it). Cells not computed hold −∞.
    func proposalScores(
        _ input: Tensor, layout: TiledPyramidLayout, field: ReceptiveField, search: ProposalSearch, coverage: inout DetectionCoverage
    ) -> Tensor {
        var pass = passA(input, layout: layout, field: field, search: search, keepFeatures: search.learnedThreshold != nil)
        coverage.pyramidPixels = layout.rows * layout.cols
        coverage.fineLevelPixels = layout.levels.prefix(search.firstWholeLevel).reduce(0) { $0 + $1.width * $1.height }
        coverage.evaluatedPixels = pass.pixels
        coverage.crops = pass.crops

        // Proposals mark, on every fine level, the cells whose centres lie within `radius` pass-A cells of theirs.
        let (outR, outC) = (pass.scores.nr, pass.scores.nc)
        var wanted = [Bool](repeating: false, count: outR * outC)
        let windows = options.windows.count
        for r in 0..<outR {
            for c in 0..<outC where pass.computed[r * outC + c] && pass.level[r * outC + c] >= search.firstWholeLevel {
                var best = -Float.infinity
                for k in 0..<windows { best = max(best, pass.scores.data[(k * outR + r) * outC + c]) }
                guard Double(best) > search.proposalThreshold else { continue }
                coverage.proposals += 1
                mark(&wanted, around: (r, c), pass: pass, layout: layout, search: search)
            }
        }
        if let threshold = search.learnedThreshold, let features = pass.features, features.grid.k == ProposalHead.trained.channels {
            let head = ProposalHead.trained
            let e = features.extent
            for r in e.top...e.bottom {
                for c in e.left...e.right where pass.level[r * outC + c] == search.firstWholeLevel {
                    guard Double(head.score(features.grid, row: r - e.top, col: c - e.left)) > threshold else { continue }
                    coverage.proposals += 1
                    mark(&wanted, around: (r, c), pass: pass, layout: layout, search: search)
                }
            }
        }
        // Pass B: one crop per connected group of wanted cells, merged where that costs no more; when the crops
        // (with their receptive-field margins) would cost more than the fine levels whole, those instead.
        var passB = Self.merged(
            Self.components(wanted, rows: outR, cols: outC).map { inputRect(of: $0, field: field, layout: layout) })
        if passB.reduce(0, { $0 + $1.area }) > pass.fineRects.reduce(0, { $0 + $1.area }) { passB = pass.fineRects }
        var none: LevelFeatures? = nil
        for rect in passB {
            run(crop: rect, of: input, layout: layout, field: field, into: &pass.scores, computed: &pass.computed, features: &none)
            coverage.evaluatedPixels += rect.area
            coverage.passBPixels += rect.area
        }
        coverage.crops += passB.count
        return pass.scores
    }

    /// What pass A leaves: the score map with the coarse levels' cells computed (the rest −∞), which cells
    /// are computed, each cell's pyramid level, and (when asked) the first whole level's features.
    struct PassA {
        var scores: Tensor
        var computed: [Bool]
        var level: [Int32]
        var features: LevelFeatures?
        /// The crops that cover every cell of the finer levels.
        var fineRects: [CellRect]
        var pixels = 0
        var crops = 0
    }

    /// The features (the input of the network's last layer) of one level's cells, as pass A computed them:
    /// `grid` is 1 × channels × the rows × columns of `extent` (output cells, inclusive); cells of the
    /// extent that no crop computes exactly stay 0.
    struct LevelFeatures {
        var extent: CellRect
        var grid: Tensor
    }

    /// Pass A: the network on every cell of the levels from `search.firstWholeLevel` on.
    func passA(_ input: Tensor, layout: TiledPyramidLayout, field: ReceptiveField, search: ProposalSearch, keepFeatures: Bool) -> PassA {
        let (outR, outC) = field.outputSize(rows: layout.rows, cols: layout.cols)
        var scores = Tensor(n: 1, k: options.windows.count, nr: outR, nc: outC)
        for i in scores.data.indices { scores.data[i] = -.infinity }
        var computed = [Bool](repeating: false, count: outR * outC)
        let first = search.firstWholeLevel
        // Which pyramid level each cell's window maps to (as the scan maps its rectangles).
        var level = [Int32](repeating: 0, count: outR * outC)
        var extent = [CellRect?](repeating: nil, count: layout.levels.count)
        for r in 0..<outR {
            let cy = Int((Double(r) * mapScale + mapOffsetY + 0.5).rounded(.down))
            for c in 0..<outC {
                let cx = Int((Double(c) * mapScale + mapOffsetX + 0.5).rounded(.down))
                let l = layout.level(x: cx, y: cy)
                level[r * outC + c] = Int32(l)
                let cell = CellRect(top: r, left: c, bottom: r, right: c)
                extent[l] = extent[l].map { $0.union(cell) } ?? cell
            }
        }
        var features: LevelFeatures? = nil
        if keepFeatures, first < extent.count, let e = extent[first], case .convolution(let head) = graph.steps.last {
            features = LevelFeatures(extent: e, grid: Tensor(n: 1, k: head.inChannels, nr: e.bottom - e.top + 1, nc: e.right - e.left + 1))
        }
        let rects =
            first < extent.count
            ? Self.merged(extent[first...].compactMap { $0 }.map { inputRect(of: $0, field: field, layout: layout) }) : []
        var pixels = 0
        for rect in rects {
            run(crop: rect, of: input, layout: layout, field: field, into: &scores, computed: &computed, features: &features)
            pixels += rect.area
        }
        let fine = Self.merged(extent.prefix(first).compactMap { $0 }.map { inputRect(of: $0, field: field, layout: layout) })
        return PassA(
            scores: scores, computed: computed, level: level, features: features, fineRects: fine, pixels: pixels, crops: rects.count)
    }

    /// Marks the fine-level cells a proposal at pass-A cell `cell` covers.
    func mark(_ wanted: inout [Bool], around cell: (r: Int, c: Int), pass: PassA, layout: TiledPyramidLayout, search: ProposalSearch) {
        let outC = pass.scores.nc
        let outR = pass.scores.nr
        let ratio = Double(Self.pyramidDownsampling) / Double(Self.pyramidDownsampling - 1)
        let px = Double(cell.c) * mapScale + mapOffsetX
        let py = Double(cell.r) * mapScale + mapOffsetY
        let (x0, y0, _, _) = layout.toImage(left: px, top: py, right: px, bottom: py, downsampling: Self.pyramidDownsampling)
        let from = Int(pass.level[cell.r * outC + cell.c])
        for j in 0..<min(search.firstWholeLevel, layout.levels.count) {
            let down = pow(ratio, Double(j))
            let e = search.radius * mapScale * pow(ratio, Double(from - j))
            let lx = Double(layout.levels[j].left) + x0 / down - mapOffsetX
            let ly = Double(layout.levels[j].top) + y0 / down - mapOffsetY
            let c0 = max(0, Int(((lx - e) / mapScale).rounded(.up)))
            let c1 = min(outC - 1, Int(((lx + e) / mapScale).rounded(.down)))
            let r0 = max(0, Int(((ly - e) / mapScale).rounded(.up)))
            let r1 = min(outR - 1, Int(((ly + e) / mapScale).rounded(.down)))
            guard c0 <= c1, r0 <= r1 else { continue }
            for rr in r0...r1 {
                for cc in c0...c1 where Int(pass.level[rr * outC + cc]) == j && !pass.computed[rr * outC + cc] {
                    wanted[rr * outC + cc] = true
                }
            }
        }
    }

    /// The input pixels (inclusive, clamped, aligned) the cells of `cells` read.
    func inputRect(of cells: CellRect, field: ReceptiveField, layout: TiledPyramidLayout) -> CellRect {
        let a = Self.cropAlignment
        func alignDown(_ v: Int) -> Int { max(0, v >= 0 ? v / a * a : 0) }
        return CellRect(
            top: alignDown(cells.top * field.stride + field.lowY), left: alignDown(cells.left * field.stride + field.lowX),
            bottom: min(layout.rows - 1, cells.bottom * field.stride + field.highY),
            right: min(layout.cols - 1, cells.right * field.stride + field.highX))
    }

    /// Runs the network on `rect` of `input` and stores the cells it computed exactly: those whose
    /// receptive field lies inside the crop, or reaches past it only where the whole input ends too.
    /// With `features`, also stores the exact cells' features that lie in its extent.
    func run(
        crop rect: CellRect, of input: Tensor, layout: TiledPyramidLayout, field: ReceptiveField, into scores: inout Tensor,
        computed: inout [Bool], features: inout LevelFeatures?
    ) {
        let h = rect.bottom - rect.top + 1
        let w = rect.right - rect.left + 1
        var crop = Tensor(uninitializedN: 1, k: input.k, nr: h, nc: w)
        input.data.withUnsafeBufferPointer { src in
            crop.data.withUnsafeMutableBufferPointer { dst in
                for ch in 0..<input.k {
                    for r in 0..<h {
                        let s = (ch * input.nr + rect.top + r) * input.nc + rect.left
                        let d = (ch * h + r) * w
                        dst.baseAddress!.advanced(by: d).update(from: src.baseAddress!.advanced(by: s), count: w)
                    }
                }
            }
        }
        let out: Tensor
        let kept: Tensor?
        if features != nil {
            (kept, out) = graph.forwardKeepingFeatures(consume crop)
        } else {
            (kept, out) = (nil, graph.forward(consume crop))
        }
        let s = field.stride
        let r0 = rect.top / s
        let c0 = rect.left / s
        let outR = scores.nr
        let outC = scores.nc
        for i in 0..<out.nr {
            let r = r0 + i
            guard r < outR, rect.top == 0 || r * s + field.lowY >= rect.top,
                rect.bottom == layout.rows - 1 || r * s + field.highY <= rect.bottom
            else { continue }
            for j in 0..<out.nc {
                let c = c0 + j
                guard c < outC, rect.left == 0 || c * s + field.lowX >= rect.left,
                    rect.right == layout.cols - 1 || c * s + field.highX <= rect.right
                else { continue }
                computed[r * outC + c] = true
                for k in 0..<scores.k { scores.data[(k * outR + r) * outC + c] = out.data[(k * out.nr + i) * out.nc + j] }
                if let kept, let e = features?.extent, r >= e.top, r <= e.bottom, c >= e.left, c <= e.right {
                    let (gr, gc) = (e.bottom - e.top + 1, e.right - e.left + 1)
                    for k in 0..<min(kept.k, features!.grid.k) {
                        features!.grid.data[(k * gr + r - e.top) * gc + c - e.left] = kept.data[(k * kept.nr + i) * kept.nc + j]
                    }
                }
            }
        }
    }

    /// Bounding boxes of the 8-connected groups of set cells.
    static func components(_ mask: [Bool], rows: Int, cols: Int) -> [CellRect] {
        var seen = mask.map { !$0 }
        var boxes: [CellRect] = []
        var stack: [Int] = []
        for start in mask.indices where !seen[start] {
            seen[start] = true
            stack.append(start)
            var box = CellRect(top: start / cols, left: start % cols, bottom: start / cols, right: start % cols)
            while let p = stack.popLast() {
                let r = p / cols
                let c = p % cols
                box = box.union(CellRect(top: r, left: c, bottom: r, right: c))
                for dr in -1...1 {
                    for dc in -1...1 {
                        let rr = r + dr
                        let cc = c + dc
                        guard rr >= 0, rr < rows, cc >= 0, cc < cols, !seen[rr * cols + cc] else { continue }
                        seen[rr * cols + cc] = true
                        stack.append(rr * cols + cc)
                    }
                }
            }
            boxes.append(box)
        }
        return boxes
    }

    /// Joins rectangles whose bounding box is no larger than the two apart (so no pixel is evaluated twice
    /// for nothing), until no pair qualifies.
    static func merged(_ rects: [CellRect]) -> [CellRect] {
        var rects = rects
        var changed = true
        while changed {
            changed = false
            outer: for i in rects.indices {
                for j in rects.indices where j > i {
                    let u = rects[i].union(rects[j])
                    if u.area <= rects[i].area + rects[j].area {
                        rects[i] = u
                        rects.remove(at: j)
                        changed = true
                        break outer
                    }
                }
            }
        }
        return rects
    }
}
