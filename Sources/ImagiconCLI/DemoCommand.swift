import ArgumentParser
import Foundation

/// `imagicon demo`: the whole pipeline locally, end to end (runs the repository's `scripts/demo --pipeline`;
/// `scripts/demo` without it starts the web app with `imagicon serve`).
///
/// The script's progress goes to stderr; stdout gets one JSON document summarising what landed.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the end-to-end demo: local moto_server, real bootstrap, sample album (see README).")

    @Option(help: "The repository checkout (default: found from the current directory upwards).")
    var repository: String?

    func run() throws {
        let root = try repository.map { URL(fileURLWithPath: $0) } ?? Self.findRepository()
        let script = root.appendingPathComponent("scripts/demo")
        guard FileManager.default.isExecutableFile(atPath: script.path) else {
            throw ValidationError("no scripts/demo in \(root.path); run from an Imagicon checkout or pass --repository")
        }
        let output = root.appendingPathComponent(".demo")
        let process = Process()
        process.executableURL = script
        process.arguments = ["--pipeline"]
        process.currentDirectoryURL = root
        process.environment = ProcessInfo.processInfo.environment.merging(["DEMO_OUT": output.path]) { $1 }
        process.standardOutput = FileHandle.standardError
        try process.run()
        process.waitUntilExit()
        var summary: [String: Any] = ["status": process.terminationStatus == 0 ? "ok" : "failed", "output": output.path]
        if let data = FileManager.default.contents(atPath: output.appendingPathComponent("aws/invoke.json").path),
            let invoke = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        {
            summary["invocations"] = invoke["invocations"]
        }
        let json = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(json + Data("\n".utf8))
        if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
    }

    static func findRepository() throws -> URL {
        var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        while true {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("scripts/demo").path),
                FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path)
            {
                return dir
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { throw ValidationError("not inside an Imagicon checkout; pass --repository") }
            dir = parent
        }
    }
}
