import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// How many threads FaceKit's networks use.
///
/// FaceKit splits each convolution into bands of output rows (and a batch into its samples) and
/// runs them on this many threads, each calling OpenBLAS single-threaded; that scales better
/// than OpenBLAS's own threading on these many small matrix products. The default is the
/// number of active processors.
public enum FaceKitThreads {
    private static let workers = Atomic<Int>(0)

    /// Sets the number of threads for every following network evaluation in this process.
    ///
    /// Use 1 to measure single-core speed or when the caller already parallelises across images.
    public static func set(_ count: Int) {
        workers.store(max(1, min(count, 256)), ordering: .relaxed)
    }

    /// The thread count currently in effect.
    public static var current: Int {
        let n = workers.load(ordering: .relaxed)
        return n > 0 ? n : max(1, min(ProcessInfo.processInfo.activeProcessorCount, 256))
    }

    /// The OpenBLAS kernel family in use (e.g. "SkylakeX"), for benchmark reports.
    public static var kernel: String {
        try? BLASKernels.load()
        return BLASKernels.coreName
    }
}
