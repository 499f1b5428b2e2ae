#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `body(0..<count)` on `count` threads (the caller runs index 0) and waits for all.
///
/// Plain pthreads joined with `pthread_join`: measured on Linux, `DispatchQueue.concurrentPerform`
/// left worker threads spinning (`sched_yield`) for the rest of the process, doubling CPU time
/// for no gain in wall time.
func runInParallel(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    guard count > 1 else {
        if count == 1 { body(0) }
        return
    }
    var threads: [pthread_t] = []
    for index in 1..<count {
        let job = Unmanaged.passRetained(ParallelJob(body: body, index: index)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread, nil,
            { raw in
                let job = Unmanaged<ParallelJob>.fromOpaque(raw!).takeRetainedValue()
                job.body(job.index)
                return nil
            }, job)
        if status == 0 {
            threads.append(thread)
        } else {
            Unmanaged<ParallelJob>.fromOpaque(job).release()
            body(index) // no thread available: do it here
        }
    }
    body(0)
    for thread in threads { pthread_join(thread, nil) }
}

/// One thread's work item.
private final class ParallelJob: Sendable {
    let body: @Sendable (Int) -> Void
    let index: Int
    init(body: @escaping @Sendable (Int) -> Void, index: Int) {
        self.body = body
        self.index = index
    }
}
