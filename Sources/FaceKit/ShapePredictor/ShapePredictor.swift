#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// dlib's `shape_predictor`: a cascade of regression-tree forests (Kazemi & Sullivan, 2014)
/// that places face landmarks inside a detection rectangle.
///
/// Loaded from dlib's own model file (e.g. `shape_predictor_5_face_landmarks.dat`) and
/// evaluated with the same arithmetic as dlib 20: feature pixels are sampled at the nearest
/// pixel as the integer mean `(r + g + b) / 3`, 0 outside the image, and the returned
/// landmarks are rounded to whole pixels as dlib's `full_object_detection` stores them.
/// Immutable after loading, so one instance can serve concurrent callers.
public final class ShapePredictor: Sendable {
    let model: ShapePredictorModel

    /// Loads a shape predictor file: dlib's `.dat` or its compact form. A compact copy written next
    /// to the file as `<modelPath>.imgc` (by ``compileCompactCopy(of:)``) is preferred when present.
    /// A compact file is memory-mapped and its leaves are used in place (cold start: no copy of
    /// the 9 MB model).
    public convenience init(modelPath: String) throws {
        for candidate in [modelPath + Self.compactExtension, modelPath] {
            guard let file = try? MappedFile(path: candidate, maxBytes: Self.maxCompactBytes),
                ShapePredictorModel.isCompact(file.bytes(0..<min(file.size, ShapePredictorModel.compactMagic.count)))
            else { continue }
            self.init(model: try ShapePredictorModel(compact: file))
            return
        }
        let bytes: [UInt8]
        do {
            bytes = try DlibDeserializer.readFile(modelPath)
        } catch {
            throw ShapePredictorError(.unreadableFile, "shape predictor: \(error)")
        }
        try self.init(modelBytes: bytes)
    }

    /// Largest compact file mapped (dlib's 68-point model is ~100 MB).
    static let maxCompactBytes = 1 << 30

    private init(model: ShapePredictorModel) {
        self.model = model
    }

    /// Parses a shape predictor from its bytes: dlib's serialisation, or the compact form
    /// written by ``compactRepresentation()`` (recognised by its magic).
    public init(modelBytes: [UInt8]) throws {
        model =
            ShapePredictorModel.isCompact(modelBytes)
            ? try ShapePredictorModel(compactBytes: modelBytes)
            : try ShapePredictorModel(bytes: modelBytes)
    }

    /// The model in a flat little-endian form that loads in a few milliseconds (dlib's
    /// variable-length encoding takes tens): write it once at setup time in place of (or
    /// beside) the `.dat` file; `init(modelPath:)` and `init(modelBytes:)` accept both.
    public func compactRepresentation() -> [UInt8] { model.compactBytes() }

    /// Suffix of the compact copy that ``init(modelPath:)`` prefers.
    public static let compactExtension = ".imgc"

    /// Writes the compact form of the `.dat` at `path` to `<path>.imgc`, for fast cold starts; returns the written path.
    /// The file is written aside and renamed into place, so a process that has the old one mapped keeps valid pages.
    @discardableResult
    public static func compileCompactCopy(of path: String) throws -> String {
        let predictor = try ShapePredictor(modelBytes: try DlibDeserializer.readFile(path))
        let out = path + compactExtension
        let tmp = out + ".tmp\(getpid())"
        let bytes = predictor.compactRepresentation()
        guard let file = fopen(tmp, "wb") else {
            throw ShapePredictorError(.unreadableFile, "cannot write \(tmp)")
        }
        let written = fwrite(bytes, 1, bytes.count, file) == bytes.count
        guard fclose(file) == 0, written, rename(tmp, out) == 0 else {
            unlink(tmp)
            throw ShapePredictorError(.unreadableFile, "cannot write \(out)")
        }
        return out
    }

    /// Number of landmarks the model predicts (5 for `shape_predictor_5_face_landmarks.dat`).
    public var landmarkCount: Int { model.partCount }

    /// The landmarks of the face inside `face`, in image pixel coordinates, rounded to whole
    /// pixels as dlib returns them. Points may lie outside the image when the rectangle does.
    public func landmarks(in image: RGBImage, face: FaceRect) -> [FacePoint] {
        let shape = predictShape(in: image, face: face)
        let frame = UnitBoxFrame(face)
        return (0..<model.partCount).map { i in
            let p = frame.toImage(shape[2 * i], shape[2 * i + 1])
            return FacePoint(x: Self.roundLikeDlib(p.x), y: Self.roundLikeDlib(p.y))
        }
    }

    /// dlib's conversion of a floating point vector to `point`: `floor(v + 0.5)`.
    static func roundLikeDlib(_ v: Double) -> Double { (v + 0.5).rounded(.down) }

    /// Runs the cascade and returns the final shape in unit-box coordinates (interleaved x, y).
    func predictShape(in image: RGBImage, face: FaceRect) -> [Float] {
        var shape = model.initialShape
        let frame = UnitBoxFrame(face)
        let maxFeatures = model.levels.reduce(0) { max($0, $1.featureCount) }
        let maxTrees = model.levels.reduce(0) { max($0, $1.treeCount) }
        var features = [Float](repeating: 0, count: maxFeatures)
        var chosenLeaves = [Int](repeating: 0, count: maxTrees)
        let from = model.initialShape.map(Double.init)
        var to = from
        // `pixels` is a public var: never trust it to match the size (sample nothing if not).
        let consistent = image.width >= 0 && image.height >= 0 && image.pixels.count >= image.width * image.height * 3
        let width = consistent ? image.width : 0
        let height = consistent ? image.height : 0
        image.pixels.withUnsafeBufferPointer { pixels in
            for level in model.levels {
                // The similarity taking the initial shape to the current one moves each feature
                // pixel's offset along with its anchor landmark.
                for i in shape.indices { to[i] = Double(shape[i]) }
                let tform: SimilarityTransform =
                    model.partCount == 1
                    ? .identity
                    : from.withUnsafeBufferPointer { f in to.withUnsafeBufferPointer { t in SimilarityTransform.fit(from: f, to: t) } }
                let m00 = Float(tform.a)
                let m01 = Float(-tform.b)
                let m10 = Float(tform.b)
                let m11 = Float(tform.a)
                let treeCount = level.treeCount
                let n = shape.count
                let stride = model.leafStride
                features.withUnsafeMutableBufferPointer { features in
                    shape.withUnsafeMutableBufferPointer { shape in
                        chosenLeaves.withUnsafeMutableBufferPointer { chosen in
                            level.anchors.withUnsafeBufferPointer { anchors in
                                level.deltas.withUnsafeBufferPointer { deltas in
                                    // 1. Sample the feature pixels (independent loads, so cache misses overlap).
                                    for i in 0..<level.featureCount {
                                        let anchor = Int(anchors[i])
                                        let dx = deltas[2 * i]
                                        let dy = deltas[2 * i + 1]
                                        let ux = (m00 * dx + m01 * dy) + shape[2 * anchor]
                                        let uy = (m10 * dx + m11 * dy) + shape[2 * anchor + 1]
                                        let p = frame.toImage(ux, uy)
                                        features[i] = Float(Self.intensity(pixels, width, height, p.x, p.y))
                                    }
                                }
                            }
                            level.splitFeatures.withUnsafeBufferPointer { idx in
                                level.thresholds.withUnsafeBufferPointer { thresh in
                                    level.splitStart.withUnsafeBufferPointer { splitStart in
                                        level.splitsPerTree.withUnsafeBufferPointer { splitsPerTree in
                                            level.leafStart.withUnsafeBufferPointer { leafStart in
                                                // 2. Walk every tree (they read only the features). Wrapping
                                                //    arithmetic: every index was validated at load time.
                                                for t in 0..<treeCount {
                                                    let base = Int(splitStart[t])
                                                    let splits = Int(splitsPerTree[t])
                                                    var node = 0
                                                    while node < splits {
                                                        let s = base &+ node
                                                        let diff = features[Int(idx[2 &* s])] - features[Int(idx[2 &* s &+ 1])]
                                                        // Branch-free: the comparison is a coin flip for the predictor.
                                                        let right = Int(unsafeBitCast(!(diff > thresh[s]), to: UInt8.self))
                                                        node = 2 &* node &+ 1 &+ right
                                                    }
                                                    chosen[t] = (Int(leafStart[t]) &+ node &- splits) &* stride
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            // 3. Add the chosen leaves in tree order (dlib's float summation order,
                            //    element-wise, so whole 16-float vectors give the same sums).
                            let leaves = UnsafeRawPointer(level.paddedLeaves.pointer)
                            for chunk in 0..<stride / 16 {
                                var sum = SIMD16<Float>(repeating: 0)
                                for k in 0..<min(16, n - chunk * 16) { sum[k] = shape[chunk * 16 + k] }
                                let offset = chunk * 64
                                for t in 0..<treeCount {
                                    sum += leaves.load(fromByteOffset: chosen[t] * 4 + offset, as: SIMD16<Float>.self)
                                }
                                for k in 0..<min(16, n - chunk * 16) { shape[chunk * 16 + k] = sum[k] }
                            }
                        }
                    }
                }
            }
        }
        return shape
    }

    /// `get_pixel_intensity` of the nearest pixel (dlib's `point` rounding, `floor(v + 0.5)`),
    /// 0 outside the image.
    @inline(__always)
    static func intensity(_ pixels: UnsafeBufferPointer<UInt8>, _ width: Int, _ height: Int, _ x: Double, _ y: Double) -> Int {
        let sx = x + 0.5
        let sy = y + 0.5
        // In range (and not NaN) first; then truncation equals floor because both are >= 0.
        guard sx >= 0, sy >= 0, sx < Double(width), sy < Double(height) else { return 0 }
        let o = (Int(sy) * width + Int(sx)) * 3
        return (Int(pixels[o]) + Int(pixels[o + 1]) + Int(pixels[o + 2])) / 3
    }
}
