#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `body(i)` for every `i` in `0..<count`, on `count` threads (the caller runs index 0), and
/// returns when all are done: the package's one way to spread CPU work (ImageKit's resampling bands,
/// FaceKit's convolution bands and pyramid planes).
///
/// Plain pthreads joined with `pthread_join`. ImageKit measured `DispatchQueue.concurrentPerform`
/// leaving its workers spinning on `sched_yield` after short thumbnail runs (CPU billed for nothing);
/// on FaceKit's convolutions the two measured the same (docs/ARCHITECTURE.md, "Concurrency"), so the
/// package uses this one model everywhere. `body` may capture pointers and need not be `Sendable`: like
/// `concurrentPerform`, the caller guarantees that iterations touch disjoint memory. A thread that
/// cannot be created runs its iteration on the caller's thread instead.
public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    guard count > 1 else {
        if count == 1 { body(0) }
        return
    }
    withoutActuallyEscaping(body) { escapable in
        let shared = ParallelBody(escapable)
        var threads: [pthread_t] = []
        threads.reserveCapacity(count - 1)
        for index in 1..<count {
            let job = Unmanaged.passRetained(ParallelJob(body: shared, index: index)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(
                &thread, nil,
                { raw in
                    let job = Unmanaged<ParallelJob>.fromOpaque(raw!).takeRetainedValue()
                    job.body.run(job.index)
                    return nil
                }, job)
            if status == 0 {
                threads.append(thread)
            } else {
                Unmanaged<ParallelJob>.fromOpaque(job).release()
                escapable(index)
            }
        }
        escapable(0)
        for thread in threads { pthread_join(thread, nil) }
    }
}

/// The shared body; it never outlives `parallelFor`, which joins every thread before returning.
private final class ParallelBody: @unchecked Sendable {
    let run: (Int) -> Void
    init(_ run: @escaping (Int) -> Void) { self.run = run }
}

/// One thread's work item.
private final class ParallelJob: @unchecked Sendable {
    let body: ParallelBody
    let index: Int
    init(body: ParallelBody, index: Int) {
        self.body = body
        self.index = index
    }
}
