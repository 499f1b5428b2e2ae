import Foundation
import TestSupport
import Testing

@testable import AWSCore

/// Runs Fixtures/fault_server.py, a local HTTP/1.1 server that answers 503s, throttling
/// errors, resets and stalls on demand. Stops when its stdin closes.
final class FaultServer: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let endpoint: AWSEndpoint

    init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fault_server.py")
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var text = ""
        while !text.contains("READY") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let line = text.split(separator: "\n").first { $0.hasPrefix("PORT=") }
        guard let port = line.flatMap({ Int($0.dropFirst(5)) }) else {
            try? input.fileHandleForWriting.close()
            throw AWSError(.configuration, "fault server did not start")
        }
        endpoint = AWSEndpoint(scheme: "http", host: "127.0.0.1", port: port, isCustom: true)
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    static let available: Bool =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3")
        || ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/python3")
        } == true
}

@Suite(
    "libcurl transport against a misbehaving local server", .serialized,
    .enabled(if: FaultServer.available, "needs python3"))
struct TransportFaultTests {
    static let fast = TransportLimits(
        connectTimeoutMilliseconds: 1_000, totalTimeoutMilliseconds: 1_500,
        stallTimeoutSeconds: 1, maxResponseBytes: 1 << 20)

    static func engine(_ server: FaultServer, transport: CurlTransport, sleeps: SleepLog, attempts: Int = 4) -> AWSServiceClient {
        AWSServiceClient(
            signer: SigV4Signer(
                credentials: .init(accessKeyID: "AKID", secretAccessKey: "s"), region: "us-east-1", service: "s3", rules: .s3),
            endpoint: server.endpoint, transport: transport,
            retry: RetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(10), maxDelay: .milliseconds(40)),
            limits: fast, sleep: { duration in sleeps.record(duration) }, random: { 1 })
    }

    static func request(
        _ server: FaultServer, _ path: String, _ query: [HTTPRequest.QueryItem] = [], method: String = "GET",
        body: [UInt8] = []
    ) -> HTTPRequest {
        HTTPRequest(method: method, endpoint: server.endpoint, path: path, query: query, body: body)
    }

    static func hits(_ server: FaultServer, _ transport: CurlTransport, _ key: String) async throws -> Int {
        let response = try await transport.send(request(server, "/hits", [.init("key", key)]), limits: fast)
        return Int(String(decoding: response.body, as: UTF8.self)) ?? -1
    }

    @Test("503 SlowDown, DynamoDB throttling and 500s are retried, then succeed")
    func retryThenSuccess() async throws {
        let server = try FaultServer()
        defer { server.stop() }
        let transport = CurlTransport()
        for (key, path, body) in [("a", "/status/503", "s3throttle"), ("b", "/status/400", "ddbthrottle"), ("c", "/status/500", "s3error")]
        {
            let sleeps = SleepLog()
            let response = try await Self.engine(server, transport: transport, sleeps: sleeps).send(
                Self.request(server, path, [.init("key", key), .init("times", "2"), .init("body", body)]),
                payload: .empty, operation: "Op")
            #expect(response.status == 200)
            #expect(response.headers["x-amz-request-id"] == "OK")
            #expect(try await Self.hits(server, transport, key) == 3)
            #expect(sleeps.recorded == [.milliseconds(10), .milliseconds(20)])
        }
    }

    @Test("connection resets are retried; the budget is bounded")
    func resets() async throws {
        let server = try FaultServer()
        defer { server.stop() }
        let transport = CurlTransport()
        let sleeps = SleepLog()
        let engine = Self.engine(server, transport: transport, sleeps: sleeps)
        let recovered = try await engine.send(
            Self.request(server, "/reset", [.init("key", "r1"), .init("times", "2")]), payload: .empty, operation: "Op")
        #expect(recovered.status == 200)
        // A fresh transport: on a *reused* keep-alive connection that dies before any response
        // byte, libcurl itself retries once on a new connection, which would add one request.
        let fresh = Self.engine(server, transport: CurlTransport(), sleeps: sleeps)
        let error = await #expect(throws: AWSError.self) {
            try await fresh.send(Self.request(server, "/reset", [.init("key", "r2")]), payload: .empty, operation: "Op")
        }
        #expect(error?.code == .connection)
        let attempts = try await Self.hits(server, transport, "r2")
        #expect(attempts == 4, "server saw \(attempts) requests")
    }

    @Test("client errors are not retried")
    func noRetryOn4xx() async throws {
        let server = try FaultServer()
        defer { server.stop() }
        let transport = CurlTransport()
        let sleeps = SleepLog()
        let error = await #expect(throws: AWSError.self) {
            try await Self.engine(server, transport: transport, sleeps: sleeps).send(
                Self.request(server, "/status/403", [.init("key", "d"), .init("body", "s3denied")]), payload: .empty, operation: "Op")
        }
        #expect(error?.code == .accessDenied)
        #expect(error?.serviceCode == "AccessDenied")
        #expect(try await Self.hits(server, transport, "d") == 1)
        #expect(sleeps.recorded.isEmpty)
    }

    @Test("stalled bodies and silent servers time out instead of hanging")
    func timeouts() async throws {
        let server = try FaultServer()
        defer { server.stop() }
        let transport = CurlTransport()
        for path in ["/stall", "/silent"] {
            let sleeps = SleepLog()
            let error = await #expect(throws: AWSError.self) {
                try await Self.engine(server, transport: transport, sleeps: sleeps, attempts: 2).send(
                    Self.request(server, path, [.init("key", path)]), payload: .empty, operation: "Op")
            }
            #expect(error?.code == .timeout)
            #expect(try await Self.hits(server, transport, path) == 2)
        }
    }

    @Test("nothing listening: a connection error, retried within the budget")
    func refused() async throws {
        let server = try FaultServer()
        let endpoint = server.endpoint
        server.stop()
        let transport = CurlTransport()
        let request = HTTPRequest(method: "GET", endpoint: endpoint, path: "/")
        let error = await #expect(throws: AWSError.self) { try await transport.send(request, limits: Self.fast) }
        #expect(error?.code == .connection)
    }

    @Test("response size cap aborts the transfer")
    func sizeCap() async throws {
        let server = try FaultServer()
        defer { server.stop() }
        let transport = CurlTransport()
        var limits = Self.fast
        limits.maxResponseBytes = 1000
        let fits = try await transport.send(Self.request(server, "/big", [.init("size", "1000")]), limits: limits)
        #expect(fits.body.count == 1000)
        let error = await #expect(throws: AWSError.self) {
            try await transport.send(Self.request(server, "/big", [.init("size", "1001")]), limits: limits)
        }
        #expect(error?.code == .responseTooLarge)
    }

    @Test("bodies are sent intact for PUT/POST/DELETE; HEAD has no body")
    func methodsAndBodies() async throws {
        let server = try FaultServer()
        defer { server.stop() }
        let transport = CurlTransport()
        let body = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        struct Echo: Decodable {
            var method: String
            var length: Int
            var sha256: String
            var headers: [String: String]
        }
        for method in ["PUT", "POST", "DELETE"] {
            var request = Self.request(server, "/echo", method: method, body: method == "DELETE" ? [] : body)
            request.headers.add("X-Test", "v")
            let response = try await transport.send(request, limits: .default)
            let echo = try JSONDecoder().decode(Echo.self, from: Data(response.body))
            #expect(echo.method == method)
            #expect(echo.length == request.body.count)
            #expect(echo.sha256 == SigV4Signer.hexSHA256(request.body))
            #expect(echo.headers["X-Test"] == "v")
            #expect(echo.headers["Expect"] == nil)
        }
        let head = try await transport.send(Self.request(server, "/big", [.init("size", "10")], method: "HEAD"), limits: .default)
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.headers["content-length"] == "10")
    }

    @Test("header injection is refused")
    func headerInjection() async throws {
        let server = try FaultServer()
        defer { server.stop() }
        var request = Self.request(server, "/echo")
        request.headers.add("X-Evil", "a\r\nX-Injected: 1")
        let error = await #expect(throws: AWSError.self) { try await CurlTransport().send(request, limits: Self.fast) }
        #expect(error?.code == .invalidRequest)
    }

    @Test("connections are kept alive and reused per host")
    func keepAlive() async throws {
        let server = try FaultServer()
        defer { server.stop() }
        let transport = CurlTransport()
        var ports: [String] = []
        for _ in 0..<3 {
            let response = try await transport.send(Self.request(server, "/conn"), limits: Self.fast)
            ports.append(String(decoding: response.body, as: UTF8.self))
        }
        #expect(Set(ports).count == 1)
    }
}

@Suite("libcurl transport cancellation", .enabled(if: FaultServer.available, "needs python3"))
struct TransportCancellationTests {
    @Test("cancelling the task aborts a stalled transfer with .cancelled")
    func cancel() async throws {
        let server = try FaultServer()
        defer { server.stop() }
        let transport = CurlTransport()
        let request = HTTPRequest(method: "GET", endpoint: server.endpoint, path: "/silent", query: [.init("key", "cancel")])
        let limits = TransportLimits(totalTimeoutMilliseconds: 20_000, stallTimeoutSeconds: 20)
        let task = Task { try await transport.send(request, limits: limits) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result
        #expect(throws: AWSError.self) { try result.get() }
        if case .failure(let error) = result { #expect((error as? AWSError)?.code == .cancelled) }
    }
}
