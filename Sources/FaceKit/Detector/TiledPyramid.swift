/// An inclusive integer rectangle in dlib's `rectangle` convention (used inside the detector).
struct DlibRect: Equatable, Sendable {
    var left: Int, top: Int, right: Int, bottom: Int
    var width: Int { right - left + 1 }
    var height: Int { bottom - top + 1 }
    var isEmpty: Bool { left > right || top > bottom }
    /// `rectangle(w, h)`: the rectangle at the origin with that size.
    init(width: Int, height: Int) {
        left = 0
        top = 0
        right = width - 1
        bottom = height - 1
    }
    init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }
    func contains(x: Int, y: Int) -> Bool { left <= x && x <= right && top <= y && y <= bottom }
    func intersects(_ o: DlibRect) -> Bool {
        !DlibRect(left: max(left, o.left), top: max(top, o.top), right: min(right, o.right), bottom: min(bottom, o.bottom)).isEmpty
    }
    func translated(dx: Int, dy: Int) -> DlibRect { DlibRect(left: left + dx, top: top + dy, right: right + dx, bottom: bottom + dy) }
}

/// The layout of dlib's tiled image pyramid (`impl::compute_tiled_image_pyramid_details` with
/// `pyramid_down<N>`): every level of the pyramid packed into one image, level 0 on the left
/// column, smaller levels stacked down then back up the right side.
struct TiledPyramidLayout: Equatable, Sendable {
    /// Where each level sits in the tiled image; level 0 is the original size.
    var levels: [DlibRect]
    /// Tiled image rows.
    var rows: Int
    /// Tiled image columns.
    var cols: Int

    /// dlib's `pyramid_down<N>` scale per level, `(N − 1) / N`.
    static func rate(_ n: Int) -> Double { (Double(n) - 1.0) / Double(n) }

    /// Computes the layout for an image of `rows × cols` with `pyramid_down<downsampling>`.
    init(rows nr0: Int, cols nc0: Int, downsampling n: Int, padding: Int, outerPadding: Int) {
        levels = []
        if nr0 * nc0 == 0 {
            rows = 0
            cols = 0
            return
        }
        let minHeight = 5
        var nr = nr0
        var nc = nc0
        var rects = [DlibRect(width: nc, height: nr)]
        let rate = Self.rate(n)
        while true {
            nr = Int((rate * Double(nr)).rounded(.down))
            nc = Int((rate * Double(nc)).rounded(.down))
            if nr * nc == 0 || nr < minHeight { break }
            rects.append(DlibRect(width: nc, height: nr))
        }
        var totalHeight = 0
        for r in rects { totalHeight += r.height + padding }
        totalHeight -= padding * 2
        var height = 0
        var prevWidth = 0
        for r in rects {
            if r.width <= rects[0].width - prevWidth - padding && (height - rects[0].height) * 2 >= totalHeight - rects[0].height {
                break
            }
            height += r.height + padding
            prevWidth = r.width
        }
        height -= padding
        let width = rects[0].width
        rows = height + outerPadding * 2
        cols = width + outerPadding * 2

        var y = outerPadding
        var i = 0
        while y < height + outerPadding && i < rects.count {
            rects[i] = rects[i].translated(dx: outerPadding, dy: y)
            y += rects[i].height + padding
            i += 1
        }
        y -= padding
        while i < rects.count {
            // rectangle(p1, p2) with p1 = (outer+width−1, y−1), p2 = p1 − br_corner: normalised corners.
            let p1x = outerPadding + width - 1
            let p1y = y - 1
            let p2x = p1x - rects[i].right
            let p2y = p1y - rects[i].bottom
            let rect = DlibRect(left: min(p1x, p2x), top: min(p1y, p2y), right: max(p1x, p2x), bottom: max(p1y, p2y))
            if rects[0].intersects(rect) { break }
            rects[i] = rect
            y -= rects[i].height + padding
            i += 1
        }
        levels = Array(rects[0..<i])
    }

    /// A run of columns on one row of the tiled image.
    struct Span: Equatable, Sendable {
        var row: Int
        var start: Int
        var count: Int
    }

    /// The runs of the tiled image that no level covers (dlib's zero padding), row by row.
    func paddingSpans() -> [Span] {
        var spans: [Span] = []
        var covered: [(left: Int, right: Int)] = []
        for row in 0..<rows {
            covered.removeAll(keepingCapacity: true)
            for r in levels where r.top <= row && row <= r.bottom { covered.append((r.left, r.right)) }
            covered.sort { $0.left < $1.left }
            var x = 0
            for c in covered {
                if c.left > x { spans.append(Span(row: row, start: x, count: c.left - x)) }
                x = max(x, c.right + 1)
            }
            if x < cols { spans.append(Span(row: row, start: x, count: cols - x)) }
        }
        return spans
    }

    /// dlib's `tiled_pyramid_to_image<pyramid_down<N>>` for a rectangle in tiled-image space.
    func toImage(left: Double, top: Double, right: Double, bottom: Double, downsampling n: Int) -> (Double, Double, Double, Double) {
        // nearest_rect(rects, dcenter(r)) with the centre rounded to a point.
        let cx = Int(((left + right) / 2 + 0.5).rounded(.down))
        let cy = Int(((top + bottom) / 2 + 0.5).rounded(.down))
        let index = level(x: cx, y: cy)
        let ox = Double(levels[index].left)
        let oy = Double(levels[index].top)
        var l = left - ox
        var t = top - oy
        var r = right - ox
        var b = bottom - oy
        let ratio = Double(n) / (Double(n) - 1.0)
        // dlib's point_up, `p·ratio + 0.3`, rounded after the product and again after the sum, as
        // dlib's own build (CMake: -mavx, no FMA) computes it. A fused multiply-add (a build with
        // -mfma or -march=native) lands some boxes exactly on x.5 that dlib's build puts just below,
        // so lround gives a box 1 px off (e.g. group/bbt1.jpg: 724.49999999999989 -> 724, not 725).
        for _ in 0..<index {
            l = l * ratio + 0.3
            t = t * ratio + 0.3
            r = r * ratio + 0.3
            b = b * ratio + 0.3
        }
        return (l, t, r, b)
    }

    /// dlib's `nearest_rect`: the level containing the point, else the nearest one (the first on ties).
    func level(x cx: Int, y cy: Int) -> Int {
        var index = 0
        var best = Double.infinity
        for (i, r) in levels.enumerated() {
            if r.contains(x: cx, y: cy) { return i }
            let nx = min(max(cx, r.left), r.right)
            let ny = min(max(cy, r.top), r.bottom)
            let d = Double((nx - cx) * (nx - cx) + (ny - cy) * (ny - cy)).squareRoot()
            if d < best {
                best = d
                index = i
            }
        }
        return index
    }
}
