import Dispatch
import Synchronization

/// Size and time limits of one transfer.
public struct TransportLimits: Sendable, Equatable {
    /// Connect timeout (TCP + TLS), milliseconds.
    public var connectTimeoutMilliseconds: Int
    /// Total timeout of the whole transfer, milliseconds.
    public var totalTimeoutMilliseconds: Int
    /// A transfer that moves no byte for this long is aborted.
    public var stallTimeoutSeconds: Int
    /// Larger response bodies abort the transfer with `.responseTooLarge`.
    public var maxResponseBytes: Int

    /// Limits from explicit values.
    public init(
        connectTimeoutMilliseconds: Int = 3_000, totalTimeoutMilliseconds: Int = 60_000,
        stallTimeoutSeconds: Int = 15, maxResponseBytes: Int = 256 << 20
    ) {
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.totalTimeoutMilliseconds = totalTimeoutMilliseconds
        self.stallTimeoutSeconds = stallTimeoutSeconds
        self.maxResponseBytes = maxResponseBytes
    }

    /// 3 s connect, 60 s total, 15 s stall, 256 MiB bodies.
    public static let `default` = TransportLimits()
}

/// Sends one HTTP request and returns the response; any status is a response, only
/// transport failures throw.
public protocol HTTPTransport: Sendable {
    /// Performs `request` under `limits`.
    func send(_ request: HTTPRequest, limits: TransportLimits) async throws(AWSError) -> HTTPResponse
}

/// The libcurl transport: a small pool of easy handles per host (each keeps its connection
/// alive for the next request), transfers run on Dispatch's global queue so the Swift
/// concurrency pool never blocks on the network.
public final class CurlTransport: HTTPTransport {
    private let idle = Mutex<[String: [CurlEasyHandle]]>([:])
    private let maxIdlePerHost: Int

    /// A transport keeping up to `maxIdlePerHost` idle connections per host.
    public init(maxIdlePerHost: Int = 4) {
        self.maxIdlePerHost = max(1, maxIdlePerHost)
    }

    /// One transport for the whole process, so every client shares its connections.
    public static let shared = CurlTransport()

    /// Performs the request on a pooled handle for the request's host. Cancelling the calling
    /// task aborts the transfer with `.cancelled`.
    public func send(_ request: HTTPRequest, limits: TransportLimits) async throws(AWSError) -> HTTPResponse {
        if Task.isCancelled { throw AWSError(.cancelled, "\(request.method) \(request.endpoint) was cancelled") }
        let key = "\(request.endpoint.scheme)://\(request.endpoint.hostHeader)"
        let handle = try checkOut(key)
        let cancellation = CancellationFlag()
        let result: Result<HTTPResponse, AWSError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    do throws(AWSError) {
                        continuation.resume(returning: .success(try handle.perform(request, limits: limits, cancellation: cancellation)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
        checkIn(handle, key: key)
        return try result.get()
    }

    /// Performs the request on the calling thread (for code that is not async).
    public func sendBlocking(_ request: HTTPRequest, limits: TransportLimits = .default) throws(AWSError) -> HTTPResponse {
        let key = "\(request.endpoint.scheme)://\(request.endpoint.hostHeader)"
        let handle = try checkOut(key)
        defer { checkIn(handle, key: key) }
        return try handle.perform(request, limits: limits)
    }

    private func checkOut(_ key: String) throws(AWSError) -> CurlEasyHandle {
        if let handle = idle.withLock({ $0[key]?.popLast() }) { return handle }
        return try CurlEasyHandle()
    }

    private func checkIn(_ handle: CurlEasyHandle, key: String) {
        let limit = maxIdlePerHost
        idle.withLock { pool in
            if pool[key, default: []].count < limit { pool[key, default: []].append(handle) }
        }
    }
}
