/// A zero-initialised, 64-byte aligned, immutable-after-construction float array owned by
/// this object (freed in `deinit`).
final class AlignedFloatBuffer: @unchecked Sendable {
    /// The floats (`count` of them).
    let pointer: UnsafeMutablePointer<Float>
    /// Number of floats.
    let count: Int

    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 16))
    }

    deinit { pointer.deallocate() }
}
