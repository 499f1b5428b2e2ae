#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The time by which the AWS calls made for one piece of work (a Lambda invocation) must be over.
///
/// Bound as a task-local around the work (`AWSDeadline.$current.withValue(...)`), it reaches every
/// ``AWSServiceClient/send(_:payload:operation:maxResponseBytes:)`` made in that task and its child
/// tasks, whichever client makes it: each attempt's timeouts shrink to the time left, a retry is
/// not started (nor slept towards) when it could not run before the deadline, and no call starts
/// once the deadline has passed. Without one, calls keep their fixed ``TransportLimits`` and ``RetryPolicy``.
public struct AWSDeadline: Sendable, Equatable {
    /// The deadline.
    public var date: Date

    /// A deadline at `date`.
    public init(_ date: Date) {
        self.date = date
    }

    /// A deadline in milliseconds since the Unix epoch (as Lambda's `Lambda-Runtime-Deadline-Ms` counts).
    public init(epochMillis: Int64) {
        self.date = Date(timeIntervalSince1970: Double(epochMillis) / 1000)
    }

    /// The deadline of the AWS calls of the current task, if one was bound.
    @TaskLocal public static var current: AWSDeadline?

    /// An attempt is not started with less time than this left: it could not finish.
    public static let minimumAttempt: Duration = .milliseconds(100)

    /// Milliseconds left at `now`, to the nearest (negative once past).
    public func millisecondsLeft(at now: Date) -> Int64 {
        Int64(((date.timeIntervalSince1970 - now.timeIntervalSince1970) * 1000).rounded())
    }

    /// `limits` with the connect and total timeouts cut to `millisecondsLeft` (at least 1 ms).
    public static func limits(_ limits: TransportLimits, within millisecondsLeft: Int64) -> TransportLimits {
        var bounded = limits
        let left = Int(clamping: max(1, millisecondsLeft))
        bounded.totalTimeoutMilliseconds = min(limits.totalTimeoutMilliseconds, left)
        bounded.connectTimeoutMilliseconds = min(limits.connectTimeoutMilliseconds, bounded.totalTimeoutMilliseconds)
        return bounded
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
