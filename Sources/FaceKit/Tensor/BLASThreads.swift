import CBLAS

/// Controls how many threads FaceKit's matrix products (OpenBLAS) may use.
public enum FaceKitThreads {
    /// Sets the OpenBLAS thread count for every following network evaluation in this process.
    ///
    /// Use 1 to measure single-core speed or when the caller already parallelises across images.
    public static func set(_ count: Int) {
        BLASKernels.ensureSelected()
        openblas_set_num_threads(Int32(max(1, min(count, 256))))
    }

    /// The OpenBLAS thread count currently in effect.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// The OpenBLAS kernel family in use (e.g. "SkylakeX"), for benchmark reports.
    public static var kernel: String {
        BLASKernels.ensureSelected()
        return BLASKernels.coreName
    }
}
