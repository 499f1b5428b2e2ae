import Foundation

@testable import ImageKit

/// Locates `../shared/testdata` next to the repository and runs the Pillow reference script.
enum TestData {
    /// The repository root, found from this file's path.
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// `<repo>/../shared/testdata`.
    static let root = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    /// True when the shared test data is present.
    static let available = FileManager.default.fileExists(atPath: root.appendingPathComponent("MANIFEST.tsv").path)

    /// Files in a folder of the test data, sorted, optionally filtered by extension.
    /// True when the phone set (HEIC/AVIF/ICC) is present.
    static let phoneAvailable = FileManager.default.fileExists(atPath: root.appendingPathComponent("phone/MANIFEST.tsv").path)

    /// True when libheif's `heif-convert` (the reference decoder) is installed.
    static let heifConvertAvailable: Bool = (try? run(["sh", "-c", "command -v heif-convert"])) == 0

    static func files(_ folder: String, extensions: Set<String>? = nil) -> [URL] {
        let dir = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().map { dir.appendingPathComponent($0) }.filter {
            extensions == nil || extensions!.contains($0.pathExtension.lowercased())
        }
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    /// The reference script's path.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/reference_decode.py")

    /// True when `python3` with Pillow can run the reference script.
    static let pillowAvailable: Bool = (try? run(["python3", "-c", "import PIL"])) == 0

    @discardableResult
    static func run(_ arguments: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// One reference decode.
    struct Reference {
        let width: Int, height: Int, channels: Int, tolerance: Int
        let pixels: [UInt8]
    }

    /// Pillow's decodes of `files` (nil where Pillow failed, with its reason).
    static func references(_ files: [URL], upright: Bool = false) throws -> [URL: Result<Reference, ReferenceFailure>] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imagekit-ref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let status = try run(["python3", script.path, dir.path] + (upright ? ["--upright"] : []) + files.map(\.path))
        guard status == 0 else { throw ReferenceFailure(reason: "reference script exited with \(status)") }
        let index = try String(contentsOf: dir.appendingPathComponent("index.tsv"), encoding: .utf8)
        var result: [URL: Result<Reference, ReferenceFailure>] = [:]
        for (n, line) in index.split(separator: "\n").enumerated() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let url = URL(fileURLWithPath: f[0])
            if f[1] == "ok" {
                let raw = [UInt8](try Data(contentsOf: dir.appendingPathComponent("\(n).raw")))
                result[url] = .success(
                    Reference(width: Int(f[2])!, height: Int(f[3])!, channels: Int(f[4])!, tolerance: Int(f[5])!, pixels: raw))
            } else {
                result[url] = .failure(ReferenceFailure(reason: f.count > 2 ? f[2] : "?"))
            }
        }
        return result
    }

    struct ReferenceFailure: Error { let reason: String }
}

/// Largest per-sample difference between two buffers of the same shape. With 4 channels colours
/// are compared premultiplied by their alpha (rounded), because the colour of (nearly) transparent
/// pixels is invisible, and libpng and Pillow fill or round it differently.
func maxDifference(_ a: [UInt8], _ b: [UInt8], channels: Int = 3) -> Int {
    precondition(a.count == b.count)
    var m = 0
    var i = 0
    while i < a.count {
        if channels == 4 {
            let aa = Int(a[i + 3])
            let ba = Int(b[i + 3])
            m = max(m, abs(aa - ba))
            for c in 0..<3 { m = max(m, abs((Int(a[i + c]) * aa + 127) / 255 - (Int(b[i + c]) * ba + 127) / 255)) }
        } else {
            for c in 0..<channels { m = max(m, abs(Int(a[i + c]) - Int(b[i + c]))) }
        }
        i += channels
    }
    return m
}
