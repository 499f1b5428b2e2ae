import ArgumentParser
import Foundation
import ImageKit

#if canImport(Glibc)
    import Glibc
#endif

/// `imagicon-bench stages FILE...`: where a thumbnail's time goes, in this process: the header,
/// the decode with colours as stored, the same decode converted to sRGB (the difference is the
/// colour conversion), each resize and each JPEG encode, and `Thumbnailer.make` for all sizes;
/// median CPU (user + system, all threads) and wall milliseconds over `--runs`.
struct BenchStagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stages",
        abstract: "Per-stage CPU and wall time of making thumbnails (header, decode, colour, resize, encode).")

    @Argument(help: "Images (JPEG, PNG, WebP, HEIC, AVIF).")
    var files: [String]

    @Option(name: .customLong("size"), help: "Sizes to make (repeatable).")
    var sizes: [String] = ["200x200", "1024x1024"]

    @Option(help: "Timed runs per stage (after one warm-up run).")
    var runs: Int = 5

    func run() throws {
        let parsed = try sizes.map { s -> ThumbnailSize in
            guard let t = ThumbnailSize(s) else { throw ValidationError("Bad --size '\(s)'.") }
            return t
        }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1.") }
        var report: [[String: String]] = []
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            let header = try ImageHeader.read(bytes)
            var stages: [(String, Timing)] = []
            stages.append(("header", try measure { _ = try ImageHeader.read(bytes) }))
            let stored = DecodeOptions(applyOrientation: false, colorManaged: false)
            stages.append(("decode, colours as stored", try measure { _ = try ImageDecoder.decode(bytes, options: stored) }))
            let managed = DecodeOptions(applyOrientation: false)
            stages.append(("decode, converted to sRGB", try measure { _ = try ImageDecoder.decode(bytes, options: managed) }))
            let image = try ImageDecoder.decode(bytes, options: managed).pixels
            for size in parsed {
                let l = size.layout(imageWidth: image.width, imageHeight: image.height)
                stages.append(
                    ("resize \(size)", try measure { _ = try Resampler.resize(image, width: l.width, height: l.height, rect: l.rect) }))
                let thumb = try Resampler.resize(image, width: l.width, height: l.height, rect: l.rect)
                stages.append(
                    ("encode \(size) JPEG q85", try measure { _ = try ImageEncoder.encode(thumb, options: EncodeOptions(format: .jpeg)) }))
            }
            stages.append(("Thumbnailer.make, all sizes", try measure { _ = try Thumbnailer.make(from: bytes, sizes: parsed) }))
            var text = "\((file as NSString).lastPathComponent) \(header.width)x\(header.height) \(header.format.rawValue)"
            text += header.colorProfile.map { p in if case .icc = p { " (ICC)" } else { " (nclx)" } } ?? ""
            text += "\n"
            var row = ["file": file]
            for (name, t) in stages {
                text +=
                    "  " + name.padding(toLength: 30, withPad: " ", startingAt: 0)
                    + String(format: "cpu %7.1f ms  wall %7.1f ms\n", t.cpuMs, t.wallMs)
                row[name] = String(format: "cpu %.1f ms, wall %.1f ms", t.cpuMs, t.wallMs)
            }
            FileHandle.standardError.write(Data(text.utf8))
            report.append(row)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        print(String(decoding: try encoder.encode(["stages": report]), as: UTF8.self))
    }

    struct Timing {
        var cpuMs: Double
        var wallMs: Double
    }

    /// Median CPU and wall time of `runs` calls of `body`, after one warm-up call.
    func measure(_ body: () throws -> Void) rethrows -> Timing {
        try body()
        var cpu: [Double] = []
        var wall: [Double] = []
        for _ in 0..<runs {
            let c0 = Self.cpuSeconds()
            let w0 = Date()
            try body()
            wall.append(Date().timeIntervalSince(w0) * 1000)
            cpu.append((Self.cpuSeconds() - c0) * 1000)
        }
        return Timing(cpuMs: cpu.sorted()[cpu.count / 2], wallMs: wall.sorted()[wall.count / 2])
    }

    /// User plus system CPU seconds of this process (every thread).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
