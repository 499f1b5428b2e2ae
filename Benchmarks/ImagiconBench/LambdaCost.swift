/// Lambda's published on-demand prices and the CPU share a memory size buys, to turn measured
/// CPU and wall seconds into a cost per 1,000 photos at each memory size.
///
/// Lambda gives a function CPU in proportion to its memory: 1,769 MB is one full vCPU, 3,538 MB two.
/// The work measured is CPU-bound (no S3 in the bench), so one thread takes `cpu₁ / min(share, 1)`
/// seconds (the measured one-thread wall is not used: on a shared machine it includes waiting for
/// the core). Above one vCPU, two threads run with a quota of `share` cores: the longer of the
/// measured two-thread wall and `cpu₂ / share`. The model takes the faster of the two at each size.
struct LambdaCost {
    /// Memory sizes the issue asks about (MB).
    static let memorySizes = [1024, 1769, 2048, 3538]
    /// Memory that buys one full vCPU.
    static let oneVCPUMB = 1769.0
    /// Price per GB-second on x86_64 and arm64 (us-east-1, first tier).
    static let x86PerGBSecond = 0.0000166667
    static let arm64PerGBSecond = 0.0000133334
    /// Price of one request.
    static let perRequest = 0.20 / 1_000_000

    /// Measured seconds of one photo: one thread and two threads.
    struct Measured: Codable {
        var cpu1: Double
        var wall1: Double
        var cpu2: Double
        var wall2: Double
    }

    /// One memory size's modelled wall and cost.
    struct Row: Codable {
        var memoryMB: Int
        var vCPUs: Double
        var modelledWallSeconds: Double
        var threads: Int
        var x86Per1000: Double
        var arm64Per1000: Double
    }

    /// The modelled wall seconds at `memoryMB` and the thread count that gives it.
    static func wall(memoryMB: Int, _ m: Measured) -> (seconds: Double, threads: Int) {
        let share = Double(memoryMB) / oneVCPUMB
        let single = m.cpu1 / min(share, 1)
        guard share > 1 else { return (single, 1) }
        let dual = max(m.wall2, m.cpu2 / share)
        return dual < single ? (dual, 2) : (single, 1)
    }

    /// Cost rows for every size in ``memorySizes``. arm64 uses the x86 wall: this machine cannot
    /// measure Graviton, so the arm64 column is the price difference alone.
    static func rows(_ m: Measured) -> [Row] {
        memorySizes.map { mb in
            let (seconds, threads) = wall(memoryMB: mb, m)
            let gbSeconds = Double(mb) / 1024 * seconds
            return Row(
                memoryMB: mb, vCPUs: Double(mb) / oneVCPUMB, modelledWallSeconds: seconds, threads: threads,
                x86Per1000: 1000 * (gbSeconds * x86PerGBSecond + perRequest),
                arm64Per1000: 1000 * (gbSeconds * arm64PerGBSecond + perRequest))
        }
    }
}
