import Foundation

/// A real moto_server started through `scripts/moto-server` (127.0.0.1, free port). With
/// `auth: true` signature checking is on and `credentials` are the IAM access key the script
/// created. The script stops the server when its stdin closes, so the server also goes away
/// when this test process dies; `stop()` closes it explicitly and waits.
/// Shared by the S3, DynamoDB and end-to-end tests through the `TestSupport` target.
public final class MotoServer: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    public let values: [String: String]
    private var stopped = false

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repositoryRoot.appendingPathComponent("scripts/moto-server")

    /// True when python's moto server module is importable.
    public static let available: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import moto.server"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    public init(auth: Bool) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path] + (auth ? [] : ["--no-auth"])
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var values: [String: String] = [:]
        var buffer = Data()
        let handle = output.fileHandleForReading
        reading: while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                if line == "READY" { break reading }
                if let equals = line.firstIndex(of: "=") {
                    values[String(line[..<equals])] = String(line[line.index(after: equals)...])
                }
            }
        }
        self.values = values
        guard values["AWS_ENDPOINT_URL"] != nil else {
            stop()
            throw MotoError.didNotStart
        }
    }

    public enum MotoError: Error { case didNotStart }

    /// Runs `body` with moto's signature checks off, then turns them back on: the browser's
    /// presigned POSTs and GETs (moto's auth mode answers 500 to any presigned request), against
    /// the same state the functions wrote with checks on. Calls to moto must not overlap it.
    public func withoutSignatureChecks<T>(_ body: () throws -> T) throws -> T {
        try resetAuth(allowing: 1_000_000_000)
        defer { try? resetAuth(allowing: 0) }
        return try body()
    }

    /// `POST /moto-api/reset-auth`: the next `count` requests skip the checks.
    func resetAuth(allowing count: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-X", "POST", "-H", "Content-Type: text/plain", "--data", String(count),
            endpoint + "/moto-api/reset-auth",
        ]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw MotoError.didNotStart }
    }

    public var endpoint: String { values["AWS_ENDPOINT_URL"]! }
    public var accessKeyID: String { values["AWS_ACCESS_KEY_ID"]! }
    public var secretAccessKey: String { values["AWS_SECRET_ACCESS_KEY"]! }
    public var region: String { values["AWS_REGION"] ?? "us-east-1" }

    /// Closes the script's stdin (it then kills moto and exits) and waits; SIGKILL after 10 s.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
