#if canImport(Glibc)
    import Glibc
#endif

/// Keeps OpenBLAS from starting its own worker threads.
///
/// FaceKit runs its own threads, each calling OpenBLAS single-threaded, and loads OpenBLAS
/// only when it first builds a network. Debian's (pthread) OpenBLAS starts a worker pool when it
/// is loaded, and those threads spin on `sched_yield` for about 0.1 s of CPU, competing with
/// ours; `OPENBLAS_NUM_THREADS=1` in the environment when it loads prevents the pool. The
/// executables call this first thing in `main`, while the process has one thread.
public enum OpenBLASEnvironment {
    /// The variable OpenBLAS reads when it is loaded.
    public static let variable = "OPENBLAS_NUM_THREADS"

    /// Sets `OPENBLAS_NUM_THREADS=1` unless it is already set (a user's choice wins).
    public static func configure() {
        setenv(variable, "1", 0)
    }
}
