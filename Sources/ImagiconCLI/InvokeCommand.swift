import ArgumentParser
import Foundation
import Imagicon
import LambdaRuntime

/// `imagicon invoke EVENT.json...`: serves events to a real `bootstrap` over a local Runtime API.
///
/// Like Lambda: one invocation at a time, the deadline enforced by killing the child (which is
/// restarted for the next event), init errors and crashes reported instead of hanging.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Replay JSON events through a bootstrap child process over a local Runtime API.",
        discussion: "Prints {\"invocations\":[...],\"summary\":{...}}; exits 1 when any invocation did not succeed.")

    @Argument(help: "Event files (JSON), served in order.")
    var events: [String]

    @Option(help: "The bootstrap executable (default: the one next to this imagicon).")
    var bootstrap: String?

    @Option(help: "Per-invocation timeout in seconds, as the function's configured timeout.")
    var timeout: Double = 60

    @Option(help: "Serve the event list this many times (for soak tests).")
    var `repeat`: Int = 1

    @Option(name: .customLong("env"), help: "Extra KEY=VALUE for the child's environment (repeatable).")
    var extraEnvironment: [String] = []

    @Option(help: "Function name the child sees (AWS_LAMBDA_FUNCTION_NAME and the ARN).")
    var functionName: String = "imagicon-local"

    func validate() throws {
        guard !events.isEmpty else { throw ValidationError("give at least one event file") }
        guard timeout > 0, timeout <= 900 else { throw ValidationError("--timeout must be in (0, 900] seconds, as in Lambda") }
        guard (1...100_000).contains(self.repeat) else { throw ValidationError("--repeat must be in 1...100000") }
        for pair in extraEnvironment where !pair.contains("=") {
            throw ValidationError("--env '\(pair)' must be KEY=VALUE")
        }
    }

    func run() async throws {
        let payloads: [(String, Data)] = try events.map { path in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read event file \(path)")
            }
            return (path, data)
        }
        let bootstrapPath = try BootstrapChild.executable(bootstrap)
        let replay = Replay(
            bootstrapPath: bootstrapPath, timeout: timeout, functionName: functionName,
            extraEnvironment: extraEnvironment)
        let records = try await replay.run(Array(repeatElement(payloads, count: self.repeat).joined()))
        let report = InvokeReport(invocations: records)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try encoder.encode(report))
        FileHandle.standardOutput.write(Data("\n".utf8))
        if report.summary.failed > 0 { throw ExitCode(1) }
    }
}
