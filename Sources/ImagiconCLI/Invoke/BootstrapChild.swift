import ArgumentParser
import Foundation

/// The `bootstrap` executable running as a child process, as Lambda runs it.
final class BootstrapChild: @unchecked Sendable {
    /// The bootstrap to run: `explicit` (`--bootstrap`) when given, else the one next to this executable.
    static func executable(_ explicit: String?) throws -> String {
        if let explicit {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw ValidationError("--bootstrap \(explicit) is not an executable file")
            }
            return explicit
        }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let sibling = me.deletingLastPathComponent().appendingPathComponent("bootstrap").path
        guard FileManager.default.isExecutableFile(atPath: sibling) else {
            throw ValidationError("no bootstrap next to \(me.path); pass --bootstrap PATH")
        }
        return sibling
    }

    let process = Process()
    let startedAt = DispatchTime.now().uptimeNanoseconds
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `path` with `environment`; its stdout and stderr go to our stderr, as Lambda sends both to the log.
    init(path: String, environment: [String: String], onExit: @escaping @Sendable (Int32?, Int32?) -> Void) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.environment = environment
        process.standardOutput = FileHandle.standardError
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        let exited = self.exited
        process.terminationHandler = { process in
            let signaled = process.terminationReason == .uncaughtSignal
            onExit(signaled ? nil : process.terminationStatus, signaled ? process.terminationStatus : nil)
            exited.signal()
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Kills the child (SIGKILL, as Lambda does on timeout) and waits until it is reaped.
    func kill() {
        if process.isRunning { Foundation.kill(pid, SIGKILL) }
        exited.wait()
        exited.signal()
    }

    /// Waits up to `seconds` for the child to exit by itself.
    func waitForExit(seconds: Double) -> Bool {
        let ok = exited.wait(timeout: .now() + seconds) == .success
        if ok { exited.signal() }
        return ok
    }

    /// Resident set size in KiB from /proc, nil once the child is gone.
    var residentKiB: Int? { statusValue("VmRSS:") }

    /// Peak resident set size (high-water mark) in KiB from /proc, nil once the child is gone.
    var peakResidentKiB: Int? { statusValue("VmHWM:") }

    private func statusValue(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field) {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}
