#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Read-only float parameters that live either in a Swift array or inside a memory-mapped
/// compiled model file (``MappedFile``), so loading a compiled model copies nothing.
struct FloatStorage: @unchecked Sendable {
    // @unchecked: the pointer refers to a read-only mapping kept alive by `owner` and never written.
    private var array: [Float]
    private let owner: MappedFile?
    private let base: UnsafePointer<Float>?
    /// Number of values.
    let count: Int

    /// Wraps an array.
    init(_ values: [Float]) {
        array = values
        owner = nil
        base = nil
        count = values.count
    }

    /// Refers to `count` floats at byte `offset` of a mapping (offset must be 4-byte aligned and in range).
    init(mapped file: MappedFile, byteOffset: Int, count: Int) {
        precondition(byteOffset % 4 == 0 && byteOffset >= 0 && count >= 0 && byteOffset + count * 4 <= file.size)
        array = []
        owner = file
        self.count = count
        base = UnsafeRawPointer(file.base + byteOffset).assumingMemoryBound(to: Float.self)
    }

    /// Calls `body` with the values.
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        if let base { return try body(UnsafeBufferPointer(start: base, count: count)) }
        return try array.withUnsafeBufferPointer(body)
    }

    /// Mutable access; a mapped storage is first copied into an array.
    mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        if let base {
            array = Array(UnsafeBufferPointer(start: base, count: count))
            self = FloatStorage(array)
        }
        return try array.withUnsafeMutableBufferPointer(body)
    }

    /// One value (slow path; for tests and small parameters).
    subscript(i: Int) -> Float {
        precondition(i >= 0 && i < count)
        return withUnsafeBufferPointer { $0[i] }
    }

    /// The values as an array (copies when mapped).
    var values: [Float] { base == nil ? array : withUnsafeBufferPointer { Array($0) } }
}

/// A whole file mapped read-only into memory, unmapped when the last user goes away.
final class MappedFile: @unchecked Sendable {
    // @unchecked: the mapping is PROT_READ and immutable for the object's lifetime.
    let base: UnsafeMutableRawPointer
    let size: Int

    /// Maps `path`; throws for unreadable, empty or oversized files.
    init(path: String, maxBytes: Int) throws(FaceModelError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FaceModelError(.unreadable, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0, Int(st.st_size) <= maxBytes else {
            throw FaceModelError(.unreadable, "\(path) is not a regular file of 1...\(maxBytes) bytes")
        }
        size = Int(st.st_size)
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw FaceModelError(.unreadable, "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        base = p
    }

    deinit { munmap(base, size) }

    /// The bytes `range` as a buffer (caller checks bounds).
    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }
}
