import Foundation

/// Locates the built `imagicon` and `bootstrap` executables and runs them.
enum Binaries {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/testdata` beside the repository.
    static let testData = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")

    /// `IMAGICON_BIN_DIR` (set by scripts/test), else `.build/debug`.
    static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["IMAGICON_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return repositoryRoot.appendingPathComponent(".build/debug")
    }

    static var imagicon: String { directory.appendingPathComponent("imagicon").path }
    static var bootstrap: String { directory.appendingPathComponent("bootstrap").path }

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String

        /// stdout parsed as a JSON object.
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: stdout) as? [String: Any] else {
                throw CocoaError(.propertyListReadCorrupt)
            }
            return object
        }
    }

    /// Runs `imagicon` with arguments and extra environment, collecting both outputs.
    /// Runs `imagicon` and waits for it; a run still going after `limit` seconds is killed (and
    /// its stderr says so), so a hang fails the test instead of stalling the whole suite.
    static func runImagicon(_ arguments: [String], environment: [String: String] = [:], limit: Double = 900) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: imagicon)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let pid = process.processIdentifier
        nonisolated(unsafe) var killed = false
        let watchdog = DispatchWorkItem {
            killed = true
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + limit, execute: watchdog)
        defer { watchdog.cancel() }
        // Drain both pipes concurrently so a chatty child cannot block on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let errReader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errReader.isFinished { usleep(1000) }
        watchdog.cancel()
        let note = killed ? "\n[test harness] imagicon \(arguments.first ?? "") killed after \(Int(limit)) s\n" : ""
        return Result(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self) + note)
    }

    /// Writes `json` to a temporary event file and returns its path.
    static func eventFile(_ json: String, in directory: URL) throws -> String {
        try eventFile(Array(json.utf8), in: directory)
    }

    /// Writes an event's bytes to a new file in `directory` and returns its path.
    static func eventFile(_ bytes: [UInt8], in directory: URL) throws -> String {
        let url = directory.appendingPathComponent("\(UUID().uuidString).json")
        try Data(bytes).write(to: url)
        return url.path
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("imagicon-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
