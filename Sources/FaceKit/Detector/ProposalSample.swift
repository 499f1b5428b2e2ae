#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Training data for ``ProposalHead`` from one image: the features pass A computes on the cells of the first
/// whole level, and where the whole run's fine-level windows (detections and near-misses) fall on that grid.
/// `imagicon-bench proposal-data` writes these; `scripts/train-proposal-head` learns from them.
public struct ProposalSample: Sendable {
    /// One fine-level window of the whole run.
    public struct Window: Sendable, Codable {
        /// Its centre on the first whole level's grid (cells, fractional; 0 is the grid's first row/column).
        public var row: Double
        public var col: Double
        /// Its output cell in the whole run's score map.
        public var cellRow: Int
        public var cellCol: Int
        /// Its pyramid level (0 is the image itself).
        public var level: Int
        /// Its best score over the model's windows.
        public var score: Float
        /// Whether it is one of the whole run's detections (kept by non-max suppression above threshold 0).
        public var detected: Bool
    }

    /// Feature channels.
    public var channels: Int
    /// Grid rows and columns (the first whole level's cells and their bounding box).
    public var rows: Int
    public var cols: Int
    /// `channels × rows × cols` features, channel-major.
    public var features: [Float]
    /// Row-major: whether the cell belongs to the first whole level (the learned proposer scores only those).
    public var onLevel: [Bool]
    /// The whole run's fine-level windows scoring above the sample's minimum.
    public var windows: [Window]
}

extension FaceDetector {
    /// The ``ProposalSample`` of `image` (the detection copy, as given): pass A with `firstWholeLevel`, and the
    /// whole run's windows on the finer levels scoring above `minScore`. nil when the pyramid has no level past
    /// the first whole one, or the network is not convolutions only.
    public func proposalSample(in image: RGBImage, firstWholeLevel: Int = 4, minScore: Float = -1) -> ProposalSample? {
        guard image.width > 0, image.height > 0, image.width <= Self.maxSide, image.height <= Self.maxSide,
            image.pixels.count == image.width * image.height * 3, firstWholeLevel >= 1, let field
        else { return nil }
        let (input, layout) = pyramidTensor(image)
        guard layout.levels.count > firstWholeLevel else { return nil }
        let search = ProposalSearch(firstWholeLevel: firstWholeLevel)
        let pass = passA(input, layout: layout, field: field, search: search, keepFeatures: true)
        guard let features = pass.features else { return nil }
        var coverage = DetectionCoverage()
        let detected = Set(detectRaw(image, threshold: 0, search: nil, coverage: &coverage).map(\.rect))
        let whole = graph.forward(input)
        let ratio = Double(Self.pyramidDownsampling) / Double(Self.pyramidDownsampling - 1)
        let down = pow(ratio, Double(firstWholeLevel))
        let target = layout.levels[firstWholeLevel]
        var windows: [ProposalSample.Window] = []
        for r in 0..<whole.nr {
            for c in 0..<whole.nc {
                let level = Int(pass.level[r * whole.nc + c])
                guard level < firstWholeLevel else { continue }
                var best = -Float.infinity
                var bestK = 0
                for k in 0..<whole.k where whole[0, k, r, c] > best {
                    best = whole[0, k, r, c]
                    bestK = k
                }
                guard best > minScore else { continue }
                let px = Double(c) * mapScale + mapOffsetX
                let py = Double(r) * mapScale + mapOffsetY
                let (x0, y0, _, _) = layout.toImage(left: px, top: py, right: px, bottom: py, downsampling: Self.pyramidDownsampling)
                let col = (Double(target.left) + x0 / down - mapOffsetX) / mapScale - Double(features.extent.left)
                let row = (Double(target.top) + y0 / down - mapOffsetY) / mapScale - Double(features.extent.top)
                let window = options.windows[bestK]
                let rect = windowRect(width: Double(window.width), height: Double(window.height), row: r, col: c, layout: layout)
                windows.append(
                    .init(
                        row: row, col: col, cellRow: r, cellCol: c, level: level, score: best, detected: best > 0 && detected.contains(rect)
                    ))
            }
        }
        let e = features.extent
        var onLevel: [Bool] = []
        for r in e.top...e.bottom {
            for c in e.left...e.right { onLevel.append(Int(pass.level[r * whole.nc + c]) == firstWholeLevel) }
        }
        return ProposalSample(
            channels: features.grid.k, rows: features.grid.nr, cols: features.grid.nc, features: features.grid.data, onLevel: onLevel,
            windows: windows)
    }
}
