import CBLAS
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Makes sure OpenBLAS runs its AVX kernels.
///
/// OpenBLAS picks its kernels by CPU model when the library loads. On CPUs newer than the
/// library (here: family 6 model 207 under a hypervisor, reported as "Intel Xeon Processor"),
/// OpenBLAS 0.3.21 falls back to its SSE3 "Prescott" kernels, which made our convolutions
/// 2.3× slower. When that happened and the user has not chosen a kernel with
/// `OPENBLAS_CORETYPE`, this re-runs OpenBLAS's kernel selection with the best core type the
/// CPU's flags support (`/proc/cpuinfo`), the same choice OpenBLAS makes for CPUs it does not know.
enum BLASKernels {
    /// OpenBLAS's kernel name after ``ensureSelected()``, e.g. "SkylakeX".
    static var coreName: String { String(cString: openblas_get_corename()) }

    /// Runs the check once per process (thread-safe; cheap after the first call).
    static func ensureSelected() { _ = selection }

    private static let selection: String = {
        // FaceKit parallelises above OpenBLAS (FaceKitThreads); each call runs on one thread.
        openblas_set_num_threads(1)
        let current = coreName
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              ["Prescott", "Katmai", "Coppermine", "Northwood", "Banias", "Core2", "Penryn", "Dunnington", "Nehalem", "Unknown"].contains(current),
              let best = bestCoreType(), best != current else { return current }
        setenv("OPENBLAS_CORETYPE", best, 1)
        gotoblas_dynamic_quit()
        gotoblas_dynamic_init()
        unsetenv("OPENBLAS_CORETYPE")
        return coreName
    }()

    /// The fastest OpenBLAS x86-64 core type the CPU flags allow, or nil when unknown.
    static func bestCoreType() -> String? {
        #if arch(x86_64)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
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
