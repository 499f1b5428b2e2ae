import CBLAS

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// OpenBLAS, loaded the first time a FaceKit network is built, with its AVX kernels selected.
///
/// Loaded with `dlopen` rather than linked: a process that never runs a network (thumbnails,
/// EXIF, conversion without faces) does not load it at all, and Debian's pthread OpenBLAS starts
/// a worker pool when it loads whose threads spin on `sched_yield` for ~0.1 s of CPU. FaceKit
/// runs its own threads, each calling OpenBLAS single-threaded, so the executables set
/// `OPENBLAS_NUM_THREADS=1` at the start of `main` and the library, loaded later, starts no pool.
///
/// OpenBLAS picks its kernels by CPU model when it loads. On CPUs newer than the library (here:
/// family 6 model 207 under a hypervisor, reported as "Intel Xeon Processor"), OpenBLAS 0.3.21
/// falls back to its SSE3 "Prescott" kernels, which made our convolutions 2.3x slower. When that
/// happens and the user has not chosen a kernel with `OPENBLAS_CORETYPE`, the kernel selection is
/// re-run with the best core type the CPU's flags support (`/proc/cpuinfo`), the same choice
/// OpenBLAS makes for CPUs it does not know.
enum BLASKernels {
    /// The library's soname, found through the executable's RUNPATH and the loader cache.
    static let soname = "libopenblas.so.0"

    /// The entry points FaceKit uses.
    struct Library: @unchecked Sendable {
        /// `cblas_sgemm` (order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc).
        typealias Sgemm =
            @convention(c) (
                Int32, Int32, Int32, Int32, Int32, Int32, Float,
                UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float,
                UnsafeMutablePointer<Float>?, Int32
            ) -> Void
        let sgemm: Sgemm
        let setNumThreads: @convention(c) (Int32) -> Void
        let corename: @convention(c) () -> UnsafeMutablePointer<CChar>?
        let dynamicInit: @convention(c) () -> Void
        let dynamicQuit: @convention(c) () -> Void
    }

    /// Loads the library and selects kernels, once per process (thread-safe).
    /// - Throws: `FaceModelError` (`.unreadable`) when OpenBLAS cannot be loaded.
    static func load() throws(FaceModelError) {
        if case .failure(let error) = loaded { throw error }
    }

    /// The loaded library. Only for code behind a network that `load()` succeeded for.
    static var library: Library {
        switch loaded {
        case .success(let library): return library
        case .failure(let error): fatalError("FaceKit used without OpenBLAS: \(error.message)")
        }
    }

    /// OpenBLAS's kernel name, e.g. "SkylakeX" ("unavailable" when it could not be loaded).
    static var coreName: String {
        guard case .success(let library) = loaded, let name = library.corename() else { return "unavailable" }
        return String(cString: name)
    }

    /// C = A·B for row-major single-precision matrices (`cblas_sgemm` without transposes, alpha = 1, beta = 0).
    @inline(__always)
    static func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let rowMajor = Int32(ImagiconCblasRowMajor)
        let noTrans = Int32(ImagiconCblasNoTrans)
        library.sgemm(rowMajor, noTrans, noTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
    }

    private static let loaded: Result<Library, FaceModelError> = {
        // RTLD_DEEPBIND: OpenBLAS's 16,000 symbolic relocations (its DYNAMIC_ARCH kernel tables,
        // against its own symbols) are looked up in the library first instead of after every
        // object of the executable's global scope: ~1.4 ms less CPU at cold start.
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            return .failure(FaceModelError(.unreadable, "OpenBLAS could not be loaded (\(reason)); install libopenblas0"))
        }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        guard let sgemm = symbol("cblas_sgemm", as: Library.Sgemm.self),
            let setNumThreads = symbol("openblas_set_num_threads", as: (@convention(c) (Int32) -> Void).self),
            let corename = symbol("openblas_get_corename", as: (@convention(c) () -> UnsafeMutablePointer<CChar>?).self),
            let dynamicInit = symbol("gotoblas_dynamic_init", as: (@convention(c) () -> Void).self),
            let dynamicQuit = symbol("gotoblas_dynamic_quit", as: (@convention(c) () -> Void).self)
        else {
            return .failure(FaceModelError(.unreadable, "\(soname) lacks cblas_sgemm or OpenBLAS's DYNAMIC_ARCH entry points"))
        }
        let library = Library(
            sgemm: sgemm, setNumThreads: setNumThreads, corename: corename, dynamicInit: dynamicInit, dynamicQuit: dynamicQuit)
        // FaceKit parallelises above OpenBLAS (FaceKitThreads); each call runs on one thread.
        library.setNumThreads(1)
        let current = library.corename().map { String(cString: $0) } ?? "Unknown"
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
            ["Prescott", "Katmai", "Coppermine", "Northwood", "Banias", "Core2", "Penryn", "Dunnington", "Nehalem", "Unknown"].contains(
                current),
            let best = bestCoreType(), best != current
        {
            setenv("OPENBLAS_CORETYPE", best, 1)
            library.dynamicQuit()
            library.dynamicInit()
            unsetenv("OPENBLAS_CORETYPE")
        }
        return .success(library)
    }()

    /// The fastest OpenBLAS x86-64 core type the CPU flags allow, or nil when unknown.
    static func bestCoreType() -> String? {
        #if arch(x86_64)
            guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
                let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
            else { return nil }
            let flags = Set(line.split(separator: " ").map(String.init))
            if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(flags.contains) { return "SkylakeX" }
            if ["avx2", "fma", "avx"].allSatisfy(flags.contains) { return "Haswell" }
            if flags.contains("avx") { return "Sandybridge" }
            return nil
        #else
            return nil
        #endif
    }
}
