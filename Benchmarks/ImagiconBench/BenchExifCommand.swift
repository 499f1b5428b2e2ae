import ArgumentParser
import ExifKit
import Foundation

/// `imagicon-bench exif DIR`: per-file extraction time of ExifKit against `exiftool -n -j`,
/// run once per file (one process each, as a pipeline shelling out would) and batched (one
/// process for all files, exiftool's best case). Prints one JSON document.
struct BenchExifCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exif",
        abstract: "Time EXIF extraction per file against exiftool (per process and batched).")

    @Argument(help: "Folder searched recursively for .jpg/.jpeg/.png/.webp files.")
    var directory: String

    @Option(help: "Passes of ExifKit over all files (the median pass is reported).")
    var iterations = 20

    @Option(help: "Path of the exiftool executable.")
    var exiftool = "/usr/bin/exiftool"

    @Flag(help: "Skip the slow one-process-per-file exiftool run.")
    var skipPerProcess = false

    func run() throws {
        let files = try Self.imageFiles(in: directory)
        guard !files.isEmpty else { throw ValidationError("no .jpg/.jpeg/.png/.webp files under \(directory)") }
        let clock = ContinuousClock()

        // ExifKit: file read + container walk + libexif parse + record, per file, in-process.
        var passes: [Double] = []
        var failures = 0
        for _ in 0..<max(1, iterations) {
            failures = 0
            let elapsed = clock.measure {
                for f in files {
                    do { _ = try ExifReader.metadata(from: ExifReader.readFile(f)) } catch { failures += 1 }
                }
            }
            passes.append(elapsed.seconds)
        }
        passes.sort()
        let oursPerFile = passes[passes.count / 2] / Double(files.count)

        // ExifKit without the file read: bytes already in memory, as in the Lambda handler.
        let contents = try files.map { try ExifReader.readFile($0) }
        var memoryPasses: [Double] = []
        for _ in 0..<max(1, iterations) {
            memoryPasses.append(
                clock.measure {
                    for bytes in contents { _ = try? ExifReader.metadata(from: bytes) }
                }.seconds)
        }
        memoryPasses.sort()
        let inMemoryPerFile = memoryPasses[memoryPasses.count / 2] / Double(files.count)

        var report: [String: Any] = [
            "files": files.count,
            "iterations": max(1, iterations),
            "imagicon": [
                "perFileMicroseconds": Self.round(oursPerFile * 1e6),
                "inMemoryPerFileMicroseconds": Self.round(inMemoryPerFile * 1e6),
                "bytes": contents.reduce(0) { $0 + $1.count },
                "unreadableFiles": failures,
            ],
        ]
        if FileManager.default.isExecutableFile(atPath: exiftool) {
            let batched = try clock.measure { try Self.runExiftool(exiftool, files) }.seconds / Double(files.count)
            report["exiftoolBatched"] = ["perFileMicroseconds": Self.round(batched * 1e6), "speedup": Self.round(batched / oursPerFile)]
            if !skipPerProcess {
                let perProcess = try clock.measure { for f in files { try Self.runExiftool(exiftool, [f]) } }.seconds / Double(files.count)
                report["exiftoolPerProcess"] = [
                    "perFileMicroseconds": Self.round(perProcess * 1e6), "speedup": Self.round(perProcess / oursPerFile),
                ]
            }
        } else {
            report["exiftool"] = "not found at \(exiftool)"
        }
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .prettyPrinted])
        print(String(decoding: json, as: UTF8.self))
    }

    /// Image files under `directory`, sorted, recursively.
    static func imageFiles(in directory: String) throws -> [String] {
        let extensions: Set<String> = ["jpg", "jpeg", "png", "webp"]
        guard let walker = FileManager.default.enumerator(atPath: directory) else {
            throw ValidationError("cannot read folder \(directory)")
        }
        var out: [String] = []
        while let rel = walker.nextObject() as? String {
            if extensions.contains((rel as NSString).pathExtension.lowercased()) {
                out.append((directory as NSString).appendingPathComponent(rel))
            }
        }
        return out.sorted()
    }

    /// Runs `exiftool -n -j files...`, discarding its output, and waits for it.
    static func runExiftool(_ tool: String, _ files: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-n", "-j"] + files
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
    }

    static func round(_ v: Double) -> Double { (v * 100).rounded() / 100 }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
