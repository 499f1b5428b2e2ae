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
/// the whole-pyramid run computes.
extension FaceDetector {
    /// Crops start on multiples of this many input pixels: a multiple of the network's stride keeps the
    /// strided layers' sampling grid, and 32 keeps any per-tile arithmetic of up to 4 cells aligned too.
    static let cropAlignment = 32

    /// The score map (one channel per window, dlib's output layout) over `input`, computed on crops:
    /// the cells of the coarse levels, then fine-level cells around pass-A windows above the
    /// proposal threshold. Cells not computed hold −∞.
    func proposalScores(
        _ input: Tensor, layout: TiledPyramidLayout, field: ReceptiveField, search: ProposalSearch, coverage: inout DetectionCoverage
    ) -> Tensor {
        let (outR, outC) = field.outputSize(rows: layout.rows, cols: layout.cols)
        let windows = options.windows.count
        var scores = Tensor(n: 1, k: windows, nr: outR, nc: outC)
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
        coverage.pyramidPixels = layout.rows * layout.cols
        coverage.fineLevelPixels = layout.levels.prefix(first).reduce(0) { $0 + $1.width * $1.height }

        // Pass A: every cell of the coarse levels.
        let passA = Self.merged(extent[first...].compactMap { $0 }.map { inputRect(of: $0, field: field, layout: layout) })
        for rect in passA {
            run(crop: rect, of: input, layout: layout, field: field, into: &scores, computed: &computed)
            coverage.evaluatedPixels += rect.area
        }
        coverage.crops = passA.count

        // Proposals: pass-A windows above the threshold mark, on every fine level, the cells whose
        // centres lie within `radius` pass-A cells of theirs.
        var wanted = [Bool](repeating: false, count: outR * outC)
        let ratio = Double(Self.pyramidDownsampling) / Double(Self.pyramidDownsampling - 1)
        for r in 0..<outR {
            for c in 0..<outC where computed[r * outC + c] && level[r * outC + c] >= first {
                var best = -Float.infinity
                for k in 0..<windows { best = max(best, scores.data[(k * outR + r) * outC + c]) }
                guard Double(best) > search.proposalThreshold else { continue }
                coverage.proposals += 1
                let px = Double(c) * mapScale + mapOffsetX
                let py = Double(r) * mapScale + mapOffsetY
                let (x0, y0, _, _) = layout.toImage(left: px, top: py, right: px, bottom: py, downsampling: Self.pyramidDownsampling)
                let from = Int(level[r * outC + c])
                for j in 0..<min(first, layout.levels.count) {
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
                        for cc in c0...c1 where level[rr * outC + cc] == j && !computed[rr * outC + cc] { wanted[rr * outC + cc] = true }
                    }
                }
            }
        }
        // Pass B: one crop per connected group of wanted cells, merged where that costs no more.
        let passB = Self.merged(
            Self.components(wanted, rows: outR, cols: outC).map { inputRect(of: $0, field: field, layout: layout) })
        for rect in passB {
            run(crop: rect, of: input, layout: layout, field: field, into: &scores, computed: &computed)
            coverage.evaluatedPixels += rect.area
            coverage.passBPixels += rect.area
        }
        coverage.crops += passB.count
        return scores
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
    func run(
        crop rect: CellRect, of input: Tensor, layout: TiledPyramidLayout, field: ReceptiveField, into scores: inout Tensor,
        computed: inout [Bool]
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
        let out = graph.forward(consume crop)
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
