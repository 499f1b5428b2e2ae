/// The parsed contents of a dlib `shape_predictor` file, flattened for fast evaluation.
///
/// Layout (dlib/image_processing/shape_predictor.h, version 1): `int version`, the initial
/// shape as a `matrix<float,0,1>` of interleaved x, y in the unit box, the forests
/// (`vector<vector<regression_tree>>`, one forest per cascade level; a tree is its splits
/// `(idx1, idx2, thresh)` in breadth-first order then its leaf vectors), the per-level
/// feature pixel anchors (`vector<vector<unsigned long>>`) and their offsets from the anchor
/// (`vector<vector<vector<float,2>>>`).
struct ShapePredictorModel: Sendable {
    /// One cascade level: where to sample pixels and the trees that read them.
    struct Level: Sendable {
        /// Anchor landmark of each feature pixel.
        var anchors: [Int32] = []
        /// Offset of each feature pixel from its anchor in the initial shape, interleaved x, y.
        var deltas: [Float] = []
        /// Number of splits per tree (every tree is complete: `2^depth - 1`).
        var splitsPerTree: [Int32] = []
        /// Start of each tree's splits in `splitFeatures`/`thresholds`.
        var splitStart: [Int32] = []
        /// Start of each tree's leaves in `leaves` (in units of one shape vector).
        var leafStart: [Int32] = []
        /// Per split: the two feature pixel indices, interleaved.
        var splitFeatures: [Int32] = []
        /// Per split: threshold on `pixel[idx1] - pixel[idx2]`.
        var thresholds: [Float] = []
        /// Leaf shape increments, `shapeLength` floats each (while parsing).
        var leaves: [Float] = []
        /// The same increments, each padded with zeros to `leafStride` floats and aligned to
        /// 64 bytes, so one leaf of the 5-point model is exactly one cache line and is added
        /// with whole-vector instructions (element-wise, so the float sums are unchanged).
        var paddedLeaves = AlignedFloatBuffer(count: 0)

        var treeCount: Int { splitsPerTree.count }
        var featureCount: Int { anchors.count }
    }

    /// The mean shape in the unit box, interleaved x, y.
    var initialShape: [Float]
    /// Cascade levels in order.
    var levels: [Level]

    /// Number of landmarks.
    var partCount: Int { initialShape.count / 2 }
    /// Floats per padded leaf: the shape length rounded up to a multiple of 16.
    var leafStride: Int { (initialShape.count + 15) / 16 * 16 }

    /// Parses and validates a model.
    init(bytes: [UInt8]) throws(ShapePredictorError) {
        var r = DlibDeserializer(bytes: bytes)
        do {
            let version = try r.readInt32()
            guard version == 1 else {
                throw ShapePredictorError(.inconsistentModel, "unsupported shape_predictor version \(version) (expected 1)")
            }
            let shape = try r.readFloatMatrix()
            guard shape.columns == 1 || shape.rows == 1, shape.values.count >= 2, shape.values.count % 2 == 0 else {
                throw ShapePredictorError(
                    .inconsistentModel, "initial shape is \(shape.rows)x\(shape.columns), expected an even-length column vector")
            }
            initialShape = shape.values
            let shapeLength = shape.values.count

            // A tree needs at least one split (8 bytes) and two leaves (4 bytes each).
            let levelCount = try r.readCount(minimumBytesPerElement: 1)
            var levels: [Level] = []
            levels.reserveCapacity(levelCount)
            for _ in 0..<levelCount {
                var level = Level()
                let treeCount = try r.readCount(minimumBytesPerElement: 2)
                level.splitsPerTree.reserveCapacity(treeCount)
                for _ in 0..<treeCount {
                    let splitCount = try r.readCount(minimumBytesPerElement: 8)
                    level.splitStart.append(Int32(clamping: level.thresholds.count))
                    level.splitsPerTree.append(Int32(clamping: splitCount))
                    for _ in 0..<splitCount {
                        let idx1 = try r.readUInt64()
                        let idx2 = try r.readUInt64()
                        let thresh = try r.readFloat()
                        guard idx1 < UInt64(Int32.max), idx2 < UInt64(Int32.max) else {
                            throw ShapePredictorError(.inconsistentModel, "split feature index out of range")
                        }
                        level.splitFeatures.append(Int32(idx1))
                        level.splitFeatures.append(Int32(idx2))
                        level.thresholds.append(thresh)
                    }
                    let leafCount = try r.readCount(minimumBytesPerElement: 4)
                    guard leafCount == splitCount + 1, leafCount & (leafCount - 1) == 0 else {
                        throw ShapePredictorError(
                            .inconsistentModel, "tree has \(splitCount) splits and \(leafCount) leaves; a complete tree is required")
                    }
                    level.leafStart.append(Int32(clamping: level.leaves.count / shapeLength))
                    for _ in 0..<leafCount {
                        let (rows, columns) = try r.readMatrixShape()
                        guard rows * columns == shapeLength else {
                            throw ShapePredictorError(
                                .inconsistentModel, "leaf vector has \(rows * columns) values, shape has \(shapeLength)")
                        }
                        try r.appendFloats(shapeLength, to: &level.leaves)
                    }
                    guard level.leaves.count < Int(Int32.max) else {
                        throw ShapePredictorError(.inconsistentModel, "model too large")
                    }
                }
                levels.append(level)
            }

            let anchorLevels = try r.readCount(minimumBytesPerElement: 2)
            guard anchorLevels == levelCount else {
                throw ShapePredictorError(.inconsistentModel, "\(anchorLevels) anchor lists for \(levelCount) cascade levels")
            }
            let parts = UInt64(shapeLength / 2)
            for i in 0..<levelCount {
                let count = try r.readCount(minimumBytesPerElement: 2)
                levels[i].anchors.reserveCapacity(count)
                for _ in 0..<count {
                    let anchor = try r.readUInt64()
                    guard anchor < parts else {
                        throw ShapePredictorError(.inconsistentModel, "feature anchor \(anchor) but only \(parts) landmarks")
                    }
                    levels[i].anchors.append(Int32(anchor))
                }
            }
            let deltaLevels = try r.readCount(minimumBytesPerElement: 2)
            guard deltaLevels == levelCount else {
                throw ShapePredictorError(.inconsistentModel, "\(deltaLevels) delta lists for \(levelCount) cascade levels")
            }
            for i in 0..<levelCount {
                let count = try r.readCount(minimumBytesPerElement: 4)
                guard count == levels[i].anchors.count else {
                    throw ShapePredictorError(.inconsistentModel, "level \(i) has \(levels[i].anchors.count) anchors but \(count) deltas")
                }
                levels[i].deltas.reserveCapacity(2 * count)
                try r.appendFloats(2 * count, to: &levels[i].deltas)
                let features = Int32(clamping: count)
                guard levels[i].splitFeatures.allSatisfy({ $0 < features }) else {
                    throw ShapePredictorError(.inconsistentModel, "level \(i) splits reference a feature pixel beyond its \(count)")
                }
            }
            let stride = (shapeLength + 15) / 16 * 16
            for i in levels.indices {
                let leafCount = levels[i].leaves.count / shapeLength
                let padded = AlignedFloatBuffer(count: leafCount * stride)
                levels[i].leaves.withUnsafeBufferPointer { source in
                    for leaf in 0..<leafCount {
                        (padded.pointer + leaf * stride).update(from: source.baseAddress! + leaf * shapeLength, count: shapeLength)
                    }
                }
                levels[i].paddedLeaves = padded
                levels[i].leaves = []
            }
            self.levels = levels
        } catch let error as DlibFormatError {
            throw ShapePredictorError(.malformedFile, "shape predictor: \(error)")
        } catch let error as ShapePredictorError {
            throw error
        } catch {
            throw ShapePredictorError(.malformedFile, "shape predictor: \(error)")
        }
    }
}
