/// A 64-byte aligned float array, immutable after construction: either owned by this object
/// (zero-initialised, freed in `deinit`) or a range of a read-only memory-mapped file that it
/// keeps mapped.
final class AlignedFloatBuffer: @unchecked Sendable {
    /// Alignment of ``pointer`` in bytes: one 16-float vector.
    static let alignment = 64
    /// The floats (`count` of them). Never written once construction is over (mapped ones are read-only).
    let pointer: UnsafeMutablePointer<Float>
    /// Number of floats.
    let count: Int
    /// The mapping the floats live in, or nil when this object owns them.
    private let mapping: MappedFile?

    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * MemoryLayout<Float>.stride, alignment: Self.alignment)
        pointer = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 16))
        mapping = nil
    }

    /// `count` floats at `byteOffset` of `file`, which must be in range and 64-byte aligned in memory.
    init(mapped file: MappedFile, byteOffset: Int, count: Int) {
        precondition(byteOffset >= 0 && count >= 0 && byteOffset + count * 4 <= file.size)
        precondition(Int(bitPattern: file.base + byteOffset) % Self.alignment == 0)
        self.count = count
        pointer = (file.base + byteOffset).assumingMemoryBound(to: Float.self)
        mapping = file
    }

    /// Whether the floats are a mapped file's rather than this object's.
    var isMapped: Bool { mapping != nil }

    deinit { if mapping == nil { pointer.deallocate() } }
}
