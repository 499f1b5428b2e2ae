#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The engine under the S3 and DynamoDB clients: signs each attempt, sends it, turns error
/// responses into `AWSError`s and retries what is retryable under the `RetryPolicy`.
/// Clock, sleep and randomness are injectable so retry behaviour is testable without waiting.
public struct AWSServiceClient: Sendable {
    /// Signs every attempt afresh (a retry gets a new date).
    public var signer: SigV4Signer
    /// Where requests go.
    public var endpoint: AWSEndpoint
    /// Sends the bytes.
    public var transport: any HTTPTransport
    /// Retry budget and backoff.
    public var retry: RetryPolicy
    /// Per-transfer limits (timeouts, response size).
    public var limits: TransportLimits
    /// The signing clock.
    public var now: @Sendable () -> Date
    /// Waits between attempts.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Uniform random numbers in `0..<1` for jitter.
    public var random: @Sendable () -> Double

    /// A client from its parts; clock, sleep and random default to the real ones.
    public init(
        signer: SigV4Signer, endpoint: AWSEndpoint, transport: any HTTPTransport = CurlTransport.shared,
        retry: RetryPolicy = .default, limits: TransportLimits = .default,
        now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.signer = signer
        self.endpoint = endpoint
        self.transport = transport
        self.retry = retry
        self.limits = limits
        self.now = now
        self.sleep = sleep
        self.random = random
    }

    /// Signs and sends `request`, retrying throttling, 5xx and connection failures. Returns
    /// the 2xx response; any other outcome throws an `AWSError` (the last one seen).
    /// `maxResponseBytes` overrides the limit for this call. Under an ``AWSDeadline`` (task-local),
    /// every attempt's timeouts end at the deadline, no retry is slept towards or started without
    /// ``AWSDeadline/minimumAttempt`` left after its wait, and nothing is sent past the deadline.
    public func send(
        _ request: HTTPRequest, payload: SigV4Signer.Payload, operation: String, maxResponseBytes: Int? = nil
    ) async throws(AWSError) -> HTTPResponse {
        var limits = self.limits
        if let maxResponseBytes { limits.maxResponseBytes = maxResponseBytes }
        let deadline = AWSDeadline.current
        var attempt = 0
        while true {
            attempt += 1
            var attemptLimits = limits
            if let deadline {
                let left = deadline.millisecondsLeft(at: now())
                guard left >= AWSDeadline.minimumAttempt.wholeMilliseconds else {
                    throw AWSError(.timeout, "\(operation) not sent: \(max(0, left)) ms left before the invocation's deadline")
                }
                attemptLimits = AWSDeadline.limits(limits, within: left)
            }
            var signed = request
            signer.sign(&signed, payload: payload, date: now())
            let failure: AWSError
            do throws(AWSError) {
                let response = try await transport.send(signed, limits: attemptLimits)
                if response.isSuccess { return response }
                failure = AWSError.fromResponse(response, operation: operation)
            } catch {
                failure = error
            }
            guard retry.shouldRetry(failure, afterAttempt: attempt) else { throw failure }
            var exhausted = failure
            exhausted.message += " (not retried: too little time left before the invocation's deadline)"
            try await wait(retry.delay(beforeRetry: attempt, random: random()), orThrow: exhausted, cancelled: failure)
        }
    }

    /// Waits before the `retry`-th retry of an operation-level loop (BatchWriteItem's
    /// unprocessed items), with the same backoff and deadline as request retries.
    public func backoff(beforeRetry retry: Int) async throws(AWSError) {
        try await wait(
            self.retry.delay(beforeRetry: retry, random: random()),
            orThrow: AWSError(.timeout, "too little time left before the invocation's deadline to retry"),
            cancelled: AWSError(.cancelled, "cancelled while backing off"))
    }

    /// Sleeps `delay`; throws `exhausted` instead when, under an ``AWSDeadline``, less than
    /// ``AWSDeadline/minimumAttempt`` would be left after it, and `cancelled` when cancelled.
    private func wait(_ delay: Duration, orThrow exhausted: AWSError, cancelled: AWSError) async throws(AWSError) {
        if let deadline = AWSDeadline.current,
            deadline.millisecondsLeft(at: now()) - delay.wholeMilliseconds < AWSDeadline.minimumAttempt.wholeMilliseconds
        {
            throw exhausted
        }
        do {
            try await sleep(delay)
        } catch {
            throw cancelled
        }
        if Task.isCancelled { throw cancelled }
    }
}
