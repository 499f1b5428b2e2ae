import Parallel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// One face found by ``FaceDetector``.
public struct FaceDetection: Sendable, Equatable, Codable {
    /// The face box in the input image's pixels (dlib convention: inclusive, may reach outside the image).
    public var rect: FaceRect
    /// dlib's detection confidence (the network score; > 0 means "face").
    public var confidence: Double

    /// Creates a detection.
    public init(rect: FaceRect, confidence: Double) {
        self.rect = rect
        self.confidence = confidence
    }
}

/// dlib's CNN face detector (`mmod_human_face_detector.dat`, as `dlib.cnn_face_detection_model_v1`):
/// the MMOD network slid over a tiled `pyramid_down<6>` image pyramid, non-max suppression by
/// the model's own overlap test, and the same optional upsampling as dlib's Python binding.
///
/// Thread-safe: the weights are immutable and each call allocates its own buffers.
public final class FaceDetector: Sendable {
    /// dlib's face detector is `input_rgb_image_pyramid<pyramid_down<6>>`; the file does not store the 6.
    static let pyramidDownsampling = 6

    let graph: DlibNetworkGraph
    let options: MMODOptions
    let means: RGBMeans
    let padding: Int
    let outerPadding: Int
    /// Output cell (x, y) maps to tensor point (a·x + b, a·y + b); composed from the layers' strides and paddings.
    let mapScale: Double
    let mapOffsetX: Double
    let mapOffsetY: Double
    /// The network's receptive field, for the two-pass search (nil: the network is not convolutions only).
    let field: ReceptiveField?

    /// Loads `mmod_human_face_detector.dat` (or another MMOD network on an RGB image pyramid),
    /// or its compiled `.imgc` form (see ``FaceModelCompiler``), which is used automatically
    /// when it sits next to the `.dat`.
    public convenience init(modelPath: String) throws(FaceModelError) {
        try self.init(network: try LoadedNetwork.load(path: modelPath))
    }

    /// Builds the detector from a loaded network.
    init(network file: LoadedNetwork) throws(FaceModelError) {
        try BLASKernels.load()
        guard case .mmod(let options) = file.loss else {
            throw FaceModelError(.wrongNetwork, "not an MMOD detector (loss is not loss_mmod_)")
        }
        guard case .rgbImagePyramid(let means, let padding, let outer) = file.input else {
            throw FaceModelError(.wrongNetwork, "MMOD detector input is not input_rgb_image_pyramid")
        }
        guard !options.useBoundingBoxRegression else { throw FaceModelError(.unsupported, "MMOD bounding-box regression is not supported") }
        self.options = options
        self.means = means
        self.padding = padding
        self.outerPadding = outer
        graph = file.graph
        try graph.validate(inputChannels: 3, rows: nil, cols: nil)
        // dlib's output_tensor_to_input_tensor: from the top layer down, p = p·stride − pad + k/2.
        var scale = 1.0
        var offX = 0.0
        var offY = 0.0
        for step in graph.steps.reversed() {
            switch step {
            case .convolution(let c):
                offX = offX * Double(c.strideX) - Double(c.padX) + Double(c.kernelCols / 2)
                offY = offY * Double(c.strideY) - Double(c.padY) + Double(c.kernelRows / 2)
                scale *= Double(c.strideX)
                guard c.strideX == c.strideY else { throw FaceModelError(.unsupported, "anisotropic strides") }
            case .pooling(let p):
                guard p.windowRows != 0 else { throw FaceModelError(.unsupported, "global pooling in a detector") }
                offX = offX * Double(p.strideX) - Double(p.padX) + Double(p.windowCols / 2)
                offY = offY * Double(p.strideY) - Double(p.padY) + Double(p.windowRows / 2)
                scale *= Double(p.strideX)
            case .fullyConnected: throw FaceModelError(.unsupported, "fully connected layer in a detector")
            default: break
            }
        }
        mapScale = scale
        field = ReceptiveField(graph.steps).flatMap { Double($0.stride) == scale ? $0 : nil }
        mapOffsetX = offX
        mapOffsetY = offY
        guard let last = graph.steps.last, case .convolution(let c) = last, c.outChannels == options.windows.count else {
            throw FaceModelError(.wrongNetwork, "MMOD network output does not have one channel per detector window")
        }
    }

    /// The largest image side accepted (after upsampling), so hostile sizes cannot exhaust memory.
    public static let maxSide = 20_000

    /// Finds faces. `upsample` doubles the image that many times first (dlib's `pyramid_up`), to find
    /// faces down to about 40 px (1) or 20 px (2) instead of 80 px; rectangles are mapped back to
    /// `image`'s pixels. `adjustThreshold` lowers (negative) or raises the score threshold 0.
    ///
    /// Memory grows with the image: roughly 40–60 bytes per pixel (after upsampling) for the pyramid
    /// and the first layers, so callers bound the size (images with a side above ``maxSide`` give
    /// no detections). An image whose pixel buffer does not match its size gives none either.
    ///
    /// `search` runs the network on part of the pyramid only (see ``ProposalSearch``): the faces are then
    /// those of the whole run at the coarse levels, and at the fine levels those its proposals cover.
    public func detect(
        in image: RGBImage, upsample: Int = 0, adjustThreshold: Double = 0, search: ProposalSearch? = nil
    ) -> [FaceDetection] {
        var coverage = DetectionCoverage()
        return detect(in: image, upsample: upsample, adjustThreshold: adjustThreshold, search: search, coverage: &coverage)
    }

    /// ``detect(in:upsample:adjustThreshold:search:)``, also telling how much of the pyramid the network ran on.
    public func detect(
        in image: RGBImage, upsample: Int = 0, adjustThreshold: Double = 0, search: ProposalSearch?, coverage: inout DetectionCoverage
    ) -> [FaceDetection] {
        guard image.width >= 0, image.height >= 0, image.pixels.count == image.width * image.height * 3 else { return [] }
        var img = image
        for _ in 0..<max(0, upsample) {
            // pyramid_up with pyramid_down<2>: rect_up of the image rectangle gives the new size.
            // (bottom-right corner + (1.25, 0.75)) · 2, rounded as dlib's drectangle → rectangle.
            let newCols = Self.lround((Double(img.width - 1) + 1.25) * 2) + 1
            let rows = Self.lround((Double(img.height - 1) + 0.75) * 2) + 1
            guard img.width > 0, img.height > 0, newCols <= Self.maxSide, rows <= Self.maxSide else { return [] }
            img = DlibBilinear.resizeRGB(img, width: newCols, height: rows)
        }
        guard img.width > 0, img.height > 0, img.width <= Self.maxSide, img.height <= Self.maxSide else { return [] }
        var dets = detectRaw(img, threshold: adjustThreshold, search: search, coverage: &coverage)
        if upsample > 0 {
            dets = dets.map { d in
                var l = Double(d.rect.left)
                var t = Double(d.rect.top)
                var r = Double(d.rect.right)
                var b = Double(d.rect.bottom)
                for _ in 0..<upsample {
                    l = l / 2 - 1.25
                    r = r / 2 - 1.25
                    t = t / 2 - 0.75
                    b = b / 2 - 0.75
                }
                return FaceDetection(
                    rect: FaceRect(left: Self.lround(l), top: Self.lround(t), right: Self.lround(r), bottom: Self.lround(b)),
                    confidence: d.confidence)
            }
        }
        return dets
    }

    /// C's `lround`: nearest, halves away from zero.
    static func lround(_ v: Double) -> Int { Int(v.rounded(.toNearestOrAwayFromZero)) }

    /// The tensor dlib's `input_rgb_image_pyramid::to_tensor` builds, and its layout: every level's
    /// values, zero everywhere else (the padding between and around the levels).
    ///
    /// Each value is written once: level 0 in one pass over the interleaved pixels (a table per
    /// channel holds `(v − mean) / 256`), each smaller level resized from the one before, and only
    /// the padding zeroed, so the tensor is not cleared first.
    func pyramidTensor(_ img: RGBImage) -> (Tensor, TiledPyramidLayout) {
        let layout = TiledPyramidLayout(
            rows: img.height, cols: img.width, downsampling: Self.pyramidDownsampling,
            padding: padding, outerPadding: outerPadding)
        guard let base = layout.levels.first else { return (Tensor(n: 1, k: 3, nr: layout.rows, nc: layout.cols), layout) }
        var t = Tensor(uninitializedN: 1, k: 3, nr: layout.rows, nc: layout.cols)
        let plane = layout.rows * layout.cols
        let nc = layout.cols
        let gaps = layout.paddingSpans()
        var table = [Float](repeating: 0, count: 3 * 256)
        for (ch, mean) in [means.red, means.green, means.blue].enumerated() {
            for v in 0..<256 { table[ch * 256 + v] = (Float(v) - mean) / 256 }
        }
        img.pixels.withUnsafeBufferPointer { px in
            t.data.withUnsafeMutableBufferPointer { d in
                table.withUnsafeBufferPointer { lut in
                    let dp = d.baseAddress!
                    let red = lut.baseAddress!
                    let green = red + 256
                    let blue = red + 512
                    for r in 0..<img.height {
                        let src = px.baseAddress! + r * img.width * 3
                        let o = (base.top + r) * nc + base.left
                        let rp = dp + o
                        let gp = dp + plane + o
                        let bp = dp + 2 * plane + o
                        for c in 0..<img.width {
                            rp[c] = red[Int(src[3 * c])]
                            gp[c] = green[Int(src[3 * c + 1])]
                            bp[c] = blue[Int(src[3 * c + 2])]
                        }
                    }
                }
                // The three colour planes are independent: one task each when threads allow.
                let shared = PyramidPlanes(tensor: d.baseAddress!)
                let channel: @Sendable (Int) -> Void = { ch in
                    let dp = shared.tensor + ch * plane
                    for gap in gaps { (dp + gap.row * nc + gap.start).initialize(repeating: 0, count: gap.count) }
                    for i in 1..<layout.levels.count {
                        let s = layout.levels[i - 1]
                        let dr = layout.levels[i]
                        DlibBilinear.resizePlane(
                            UnsafePointer(dp + s.top * nc + s.left), srcRowStride: nc, srcRows: s.height, srcCols: s.width,
                            dp + dr.top * nc + dr.left, dstRowStride: nc, dstRows: dr.height, dstCols: dr.width)
                    }
                }
                if FaceKitThreads.current > 1 {
                    parallelFor(3, channel)
                } else {
                    (0..<3).forEach(channel)
                }
            }
        }
        return (t, layout)
    }

    /// The pyramid tensor's values for its per-channel tasks; each task writes its own plane.
    private struct PyramidPlanes: @unchecked Sendable {
        let tensor: UnsafeMutablePointer<Float>
    }

    /// Detection on the image as given (no upsampling): network (whole, or the two-pass search when
    /// the pyramid has levels past its first whole one), scan, NMS.
    func detectRaw(_ img: RGBImage, threshold: Double, search: ProposalSearch?, coverage: inout DetectionCoverage) -> [FaceDetection] {
        let (input, layout) = pyramidTensor(img)
        if layout.levels.isEmpty { return [] }
        let out: Tensor
        if let search, let field, search.firstWholeLevel >= 1, layout.levels.count > search.firstWholeLevel {
            out = proposalScores(input, layout: layout, field: field, search: search, coverage: &coverage)
        } else {
            coverage.pyramidPixels = layout.rows * layout.cols
            coverage.evaluatedPixels = coverage.pyramidPixels
            coverage.crops = 1
            out = graph.forward(consume input)
        }
        var candidates: [(rect: FaceRect, score: Double)] = []
        let onr = out.nr
        let onc = out.nc
        for k in 0..<options.windows.count {
            let (w, h) = (Double(options.windows[k].width), Double(options.windows[k].height))
            for r in 0..<onr {
                for c in 0..<onc {
                    let score = Double(out.data[(k * onr + r) * onc + c])
                    guard score > threshold else { continue }
                    candidates.append((windowRect(width: w, height: h, row: r, col: c, layout: layout), score))
                }
            }
        }
        candidates.sort { $0.score > $1.score }
        var kept: [FaceDetection] = []
        for cand in candidates {
            if kept.contains(where: { options.overlapsNMS.overlaps($0.rect, cand.rect) }) { continue }
            kept.append(FaceDetection(rect: cand.rect, confidence: cand.score))
        }
        return kept
    }

    /// The box, in the image's pixels, of a `width × height` window at output cell (`row`, `col`).
    func windowRect(width w: Double, height h: Double, row r: Int, col c: Int, layout: TiledPyramidLayout) -> FaceRect {
        let px = Double(c) * mapScale + mapOffsetX
        let py = Double(r) * mapScale + mapOffsetY
        // centered_drect(p, w, h)
        let hw = (w - 1) / 2
        let hh = (h - 1) / 2
        let (l, t, rr, b) = layout.toImage(
            left: px - hw, top: py - hh, right: px + hw, bottom: py + hh, downsampling: Self.pyramidDownsampling)
        return FaceRect(left: Self.lround(l), top: Self.lround(t), right: Self.lround(rr), bottom: Self.lround(b))
    }

}
