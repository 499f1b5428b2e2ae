/// When and how long to wait before retrying: capped exponential backoff with full jitter
/// (a uniformly random wait between 0 and `min(maxDelay, baseDelay * 2^(retry-1))`).
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts including the first (1 = never retry).
    public var maxAttempts: Int
    /// The backoff ceiling of the first retry.
    public var baseDelay: Duration
    /// The cap on any single wait.
    public var maxDelay: Duration

    /// A policy from explicit values; `maxAttempts` is clamped to at least 1.
    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(50), maxDelay: Duration = .seconds(5)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// 4 attempts, 50 ms base, 5 s cap.
    public static let `default` = RetryPolicy()
    /// A single attempt.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The backoff ceiling before retry number `retry` (1 = the first retry).
    public func ceiling(beforeRetry retry: Int) -> Duration {
        let exponent = min(max(0, retry - 1), 30)
        let grown = baseDelay * (1 << exponent)
        return grown < maxDelay ? grown : maxDelay
    }

    /// The wait before retry number `retry`, given a uniform random value in `0..<1`.
    public func delay(beforeRetry retry: Int, random: Double) -> Duration {
        ceiling(beforeRetry: retry) * min(max(random, 0), 1)
    }

    /// True when `error` may be retried and attempt number `attempt` (1-based) was not the last.
    public func shouldRetry(_ error: AWSError, afterAttempt attempt: Int) -> Bool {
        error.isRetryable && attempt < maxAttempts
    }
}
