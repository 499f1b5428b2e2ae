#if canImport(Glibc)
    import Glibc
#endif

/// glibc malloc settings for Imagicon's own processes (the Lambda `bootstrap`, the `imagicon`
/// CLI and `imagicon-bench`, whose measured children should allocate as `bootstrap` does), made
/// first thing in `main`, while the process has one thread.
///
/// By default glibc maps every allocation over a moving threshold (128 KiB to 32 MB) with its own
/// `mmap` and unmaps it on free, gives freed heap back to the system past twice that, and keeps
/// an arena per thread: a 12 MP photo's buffers (a HEIC's 48 grid tiles, decoded on several
/// threads; the 36 MB decoded pixels; the face detector's scaled copies, made on its threads)
/// fault their pages in again for every photo, in whichever arena the thread of the moment has.
/// Here allocations come from one arena, up to 256 MB from its heap (32 MiB on glibc 2.34), and freed memory stays
/// mapped until 512 MB of it are free at the top: the next buffer, and the next invocation of a
/// warm Lambda process (one invocation at a time, the process ours alone), reuses pages already
/// faulted in. Eight 12 MP JPEGs through one `imagicon process`: 84,000 page faults instead of
/// 826,000, 0.3 s of system CPU instead of 2.1, peak RSS 366 MB instead of 381. Buffers past 256 MB
/// (pictures past 85 MP) still get their own mapping, returned on free.
/// `IMAGICON_MALLOC=default` keeps glibc's defaults (for comparison).
public enum MallocTuning {
    /// Allocations at least this large get their own mapping.
    public static let mmapThreshold = 256 << 20
    /// The threshold where glibc refuses ``mmapThreshold``: up to 2.34 (Amazon Linux 2023's) it takes
    /// at most `HEAP_MAX_SIZE / 2`, 32 MiB on 64-bit. Refused, the trim setting would freeze the
    /// threshold at glibc's 128 KiB start value, mapping every buffer afresh: the opposite of the aim.
    public static let mmapThresholdFallback = 32 << 20
    /// Freed memory at the top of the heap is returned to the system only past this much.
    public static let trimThreshold = 512 << 20
    /// Arenas: one, shared by every thread, so a buffer freed on one thread is reused on another.
    public static let arenas = 1

    /// Applies the settings unless `IMAGICON_MALLOC=default`; false when glibc refused one (or
    /// this is not glibc).
    @discardableResult
    public static func configure() -> Bool {
        #if canImport(Glibc)
            if let value = getenv("IMAGICON_MALLOC"), String(cString: value) == "default" { return true }
            // <malloc.h> is not in Swift's Glibc module: mallopt and its parameter numbers from glibc's ABI.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false } // RTLD_DEFAULT
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let arena = mallopt(-8, Int32(arenas)) // M_ARENA_MAX
            // M_MMAP_THRESHOLD, before M_TRIM_THRESHOLD (which fixes whatever threshold is set by then).
            let mmap = mallopt(-3, Int32(mmapThreshold)) == 1 || mallopt(-3, Int32(mmapThresholdFallback)) == 1
            guard mmap else { return false } // leave the trim threshold and glibc's dynamic threshold alone
            let trim = mallopt(-1, Int32(trimThreshold)) // M_TRIM_THRESHOLD
            return arena == 1 && trim == 1
        #else
            return false
        #endif
    }
}
