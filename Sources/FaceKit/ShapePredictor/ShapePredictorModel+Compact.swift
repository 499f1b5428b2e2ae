/// A flat, little-endian image of a parsed `ShapePredictorModel` that loads with a few
/// memory copies instead of decoding ~1.5 million variable-length dlib numbers; from a
/// memory-mapped file the leaves (85 % of it) are used in place, not copied.
///
/// Meant to be written once at setup time (`ShapePredictor.compactRepresentation()`) and read
/// at cold start; `ShapePredictor(modelPath:)` recognises it by its magic. It is validated
/// as strictly as the dlib file (hostile input gives `ShapePredictorError`, never a trap).
///
/// Layout: 16-byte magic, then `UInt32`s `parts`, `leafStride`, `levels`, the initial shape
/// (`2 * parts` floats), then per level the `UInt32`s `features`, `trees`, `splits`, `leaves`
/// followed by the arrays `anchors` (Int32 x features), `deltas` (Float x 2 features),
/// `splitsPerTree`, `splitStart`, `leafStart` (Int32 x trees), `splitFeatures`
/// (Int32 x 2 splits), `thresholds` (Float x splits), zero bytes up to the next multiple of
/// 64 bytes from the start, then `paddedLeaves` (Float x leaves * stride).
extension ShapePredictorModel {
    /// "IMAGICON-SP" + format version 2, NUL padded to 16 bytes.
    static let compactMagic: [UInt8] = Array("IMAGICON-SP\u{2}".utf8) + [0, 0, 0, 0]

    /// Whether `bytes` start with the compact format's magic.
    static func isCompact<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Bool { bytes.starts(with: compactMagic) }

    /// Serialises the model in the compact format.
    func compactBytes() -> [UInt8] {
        var out = Self.compactMagic
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        func ints(_ a: [Int32]) { for v in a { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } } }
        func floats<C: Collection>(_ a: C) where C.Element == Float {
            for v in a { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
        u32(partCount)
        u32(leafStride)
        u32(levels.count)
        floats(initialShape)
        for level in levels {
            u32(level.featureCount)
            u32(level.treeCount)
            u32(level.thresholds.count)
            u32(level.paddedLeaves.count / leafStride)
            ints(level.anchors)
            floats(level.deltas)
            ints(level.splitsPerTree)
            ints(level.splitStart)
            ints(level.leafStart)
            ints(level.splitFeatures)
            floats(level.thresholds)
            while out.count % 64 != 0 { out.append(0) }
            floats(UnsafeBufferPointer(start: level.paddedLeaves.pointer, count: level.paddedLeaves.count))
        }
        return out
    }

    /// Loads and validates the compact format from an array (copies everything).
    init(compactBytes bytes: [UInt8]) throws(ShapePredictorError) {
        do {
            try self = bytes.withUnsafeBytes { try ShapePredictorModel(compact: $0, mapping: nil) }
        } catch let error as ShapePredictorError {
            throw error
        } catch {
            throw ShapePredictorError(.malformedFile, "compact shape predictor: \(error)")
        }
    }

    /// Loads and validates the compact format from a memory-mapped file; the leaves stay in the
    /// mapping (which they keep alive), the small arrays are copied.
    init(compact file: MappedFile) throws(ShapePredictorError) {
        try self.init(compact: file.bytes(0..<file.size), mapping: file)
    }

    /// Parses `bytes`; when they are `mapping`'s, leaves refer to it instead of being copied.
    private init(compact bytes: UnsafeRawBufferPointer, mapping: MappedFile?) throws(ShapePredictorError) {
        var cursor = CompactCursor(bytes: bytes, mapping: mapping, offset: Self.compactMagic.count)
        guard Self.isCompact(bytes) else { throw ShapePredictorError(.malformedFile, "not a compact shape predictor") }
        let parts = try cursor.count(limit: 1 << 16)
        let stride = try cursor.count(limit: 1 << 18)
        let levelCount = try cursor.count(limit: 1 << 16)
        guard parts >= 1, stride == (2 * parts + 15) / 16 * 16 else {
            throw ShapePredictorError(.inconsistentModel, "compact shape predictor: \(parts) parts with leaf stride \(stride)")
        }
        let initial = try cursor.floats(2 * parts)
        var levels: [Level] = []
        for index in 0..<levelCount {
            var level = Level()
            let features = try cursor.count(limit: Int(Int32.max))
            let trees = try cursor.count(limit: Int(Int32.max))
            let splits = try cursor.count(limit: Int(Int32.max))
            let leaves = try cursor.count(limit: Int(Int32.max))
            level.anchors = try cursor.ints(features)
            level.deltas = try cursor.floats(2 * features)
            level.splitsPerTree = try cursor.ints(trees)
            level.splitStart = try cursor.ints(trees)
            level.leafStart = try cursor.ints(trees)
            level.splitFeatures = try cursor.ints(2 * splits)
            level.thresholds = try cursor.floats(splits)
            try cursor.skipToMultiple(of: 64)
            level.paddedLeaves = try cursor.alignedFloats(leaves, times: stride)
            // The invariants the evaluator relies on, checked once here.
            guard level.anchors.allSatisfy({ $0 >= 0 && Int($0) < parts }),
                level.splitFeatures.allSatisfy({ $0 >= 0 && Int($0) < features })
            else {
                throw ShapePredictorError(.inconsistentModel, "compact shape predictor level \(index): index out of range")
            }
            for t in 0..<trees {
                let n = Int(level.splitsPerTree[t])
                let s = Int(level.splitStart[t])
                let l = Int(level.leafStart[t])
                guard n >= 0, (n + 1) & n == 0, s >= 0, s + n <= splits, l >= 0, l + n + 1 <= leaves else {
                    throw ShapePredictorError(.inconsistentModel, "compact shape predictor level \(index) tree \(t): bad extents")
                }
            }
            levels.append(level)
        }
        guard cursor.offset == bytes.count else {
            throw ShapePredictorError(.malformedFile, "compact shape predictor: \(bytes.count - cursor.offset) trailing bytes")
        }
        self.init(initialShape: initial, levels: levels)
    }

    /// Memberwise initialiser (the parsing initialiser hides the synthesised one).
    init(initialShape: [Float], levels: [Level]) {
        self.initialShape = initialShape
        self.levels = levels
    }
}

/// Bounds-checked little-endian reads for the compact format; every array length is checked
/// against the remaining bytes before allocating.
private struct CompactCursor {
    let bytes: UnsafeRawBufferPointer
    /// The file `bytes` belong to, if mapped: aligned leaves are then used in place.
    let mapping: MappedFile?
    var offset: Int

    mutating func raw(_ count: Int, _ body: (UnsafeRawBufferPointer) -> Void) throws(ShapePredictorError) {
        guard count >= 0, count <= bytes.count - offset else {
            throw ShapePredictorError(.malformedFile, "compact shape predictor truncated at byte \(offset)")
        }
        body(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
        offset += count
    }

    mutating func skipToMultiple(of alignment: Int) throws(ShapePredictorError) {
        try raw((alignment - offset % alignment) % alignment) { _ in }
    }

    mutating func count(limit: Int) throws(ShapePredictorError) -> Int {
        var value: UInt32 = 0
        try raw(4) { value = UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        guard Int(value) <= limit else {
            throw ShapePredictorError(.malformedFile, "compact shape predictor: count \(value) too large")
        }
        return Int(value)
    }

    mutating func ints(_ count: Int) throws(ShapePredictorError) -> [Int32] {
        guard count <= (bytes.count - offset) / 4 else {
            throw ShapePredictorError(.malformedFile, "compact shape predictor truncated at byte \(offset)")
        }
        var out = [Int32](repeating: 0, count: count)
        try raw(count * 4) { src in out.withUnsafeMutableBytes { $0.copyMemory(from: src) } }
        #if _endian(big)
            for i in out.indices { out[i] = Int32(littleEndian: out[i]) }
        #endif
        return out
    }

    mutating func floats(_ count: Int) throws(ShapePredictorError) -> [Float] {
        #if _endian(little)
            guard count <= (bytes.count - offset) / 4 else {
                throw ShapePredictorError(.malformedFile, "compact shape predictor truncated at byte \(offset)")
            }
            var out = [Float](repeating: 0, count: count)
            try raw(count * 4) { src in out.withUnsafeMutableBytes { $0.copyMemory(from: src) } }
            return out
        #else
            return try ints(count).map { Float(bitPattern: UInt32(bitPattern: $0)) }
        #endif
    }

    mutating func alignedFloats(_ count: Int, times stride: Int) throws(ShapePredictorError) -> AlignedFloatBuffer {
        let (total, overflow) = count.multipliedReportingOverflow(by: stride)
        guard !overflow, total <= (bytes.count - offset) / 4 else {
            throw ShapePredictorError(.malformedFile, "compact shape predictor truncated at byte \(offset)")
        }
        #if _endian(little)
            if let mapping, let base = bytes.baseAddress, Int(bitPattern: base + offset) % AlignedFloatBuffer.alignment == 0 {
                let start = UnsafeRawPointer(mapping.base).distance(to: base + offset)
                let buffer = AlignedFloatBuffer(mapped: mapping, byteOffset: start, count: total)
                offset += total * 4
                return buffer
            }
        #endif
        let buffer = AlignedFloatBuffer(count: total)
        try raw(total * 4) { src in UnsafeMutableRawPointer(buffer.pointer).copyMemory(from: src.baseAddress!, byteCount: src.count) }
        #if _endian(big)
            for i in 0..<total { buffer.pointer[i] = Float(bitPattern: UInt32(littleEndian: buffer.pointer[i].bitPattern)) }
        #endif
        return buffer
    }
}
