#if canImport(Glibc)
    import Glibc
#endif

/// A dense 4-d float tensor in dlib's layout: samples × channels × rows × columns, row-major
/// (`index = ((n * k + c) * nr + r) * nc + col`).
///
/// FaceKit's networks pass these between layers; the layout is dlib's so that weights read
/// from dlib's files apply without reordering.
struct Tensor: Sendable, Equatable {
    /// Number of samples (images) in the batch.
    var n: Int
    /// Channels per sample.
    var k: Int
    /// Rows per channel.
    var nr: Int
    /// Columns per channel.
    var nc: Int
    /// `n * k * nr * nc` values.
    var data: [Float]

    /// A zero-filled tensor of the given shape.
    init(n: Int, k: Int, nr: Int, nc: Int) {
        self.n = n
        self.k = k
        self.nr = nr
        self.nc = nc
        data = [Float](repeating: 0, count: n * k * nr * nc)
    }

    /// A tensor whose values the caller overwrites completely before reading (skips zero-filling).
    /// A large one has its pages populated up front (see ``populate(_:)``).
    init(uninitializedN n: Int, k: Int, nr: Int, nc: Int) {
        self.n = n
        self.k = k
        self.nr = nr
        self.nc = nc
        let count = n * k * nr * nc
        data = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            Self.populate(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Buffers from this size up are populated before they are written.
    static let populateBytes = 8 << 20

    /// Asks the kernel to map the whole pages of `buffer` in one call (`MADV_POPULATE_WRITE`,
    /// Linux 5.14+) instead of one page fault per 4 KiB page on first write: the detector's pyramid
    /// tensor alone (175 MB for a 4 MP image) is some 43,000 pages. Pages already mapped (memory
    /// malloc reuses) are left as they are; where the kernel does not know the call nothing happens.
    static func populate(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
            guard buffer.count >= populateBytes, let base = buffer.baseAddress else { return }
            let page = max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))
            let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
            let end = (Int(bitPattern: base) + buffer.count) & ~(page - 1)
            guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
            _ = madvise(p, end - start, 23) // MADV_POPULATE_WRITE; EINVAL before Linux 5.14
        #endif
    }

    /// Wraps existing values; `data.count` must equal `n * k * nr * nc`.
    init(n: Int, k: Int, nr: Int, nc: Int, data: [Float]) {
        precondition(data.count == n * k * nr * nc, "Tensor: data count does not match shape")
        self.n = n
        self.k = k
        self.nr = nr
        self.nc = nc
        self.data = data
    }

    /// Values per sample (`k * nr * nc`).
    var sampleSize: Int { k * nr * nc }
    /// Values per channel plane (`nr * nc`).
    var planeSize: Int { nr * nc }
    /// The shape as `[n, k, nr, nc]`, for messages and tests.
    var shape: [Int] { [n, k, nr, nc] }

    /// Element accessor (slow; for tests and reference code).
    subscript(n: Int, c: Int, r: Int, col: Int) -> Float {
        get { data[((n * k + c) * nr + r) * nc + col] }
        set { data[((n * k + c) * nr + r) * nc + col] = newValue }
    }
}
