import Foundation
import Testing

@testable import ExifKit

/// The `imagicon` binary built next to these tests, if any.
let builtImagicon: URL? = {
    let build = TestData.repoRoot.appendingPathComponent(".build")
    for sub in ["debug", "x86_64-unknown-linux-gnu/debug", "release"] {
        let url = build.appendingPathComponent(sub).appendingPathComponent("imagicon")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
}()

/// Runs the built `imagicon exif` executable (when present in `.build`) over the test corpus:
/// its stdout must be exactly the record the library produces (which the agreement tests
/// compare with exiftool), and bad input must exit non-zero with one line on stderr.
@Suite(
    "imagicon exif CLI",
    .enabled(
        if: TestData.available && builtImagicon != nil,
        "needs ../shared/testdata and a built imagicon (swift build --build-tests)"))
struct ExifCommandTests {
    /// Runs `imagicon args...`; returns exit status, stdout and stderr.
    static func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        guard let executable = builtImagicon else { throw CocoaError(.fileNoSuchFile) }
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test("stdout is the library's record for every camera JPEG", arguments: TestData.exifJPEGs)
    func matchesLibrary(file: String) throws {
        let path = TestData.root.appendingPathComponent(file).path
        let result = try Self.run(["exif", path])
        #expect(result.status == 0, "\(file): \(result.err)")
        let expected = try ExifReader.metadata(contentsOfFile: path).jsonString()
        #expect(result.out == expected + "\n", "\(file)")
    }

    @Test("unreadable input exits non-zero with one line", arguments: ["corrupt/empty.jpg", "exif/../SOURCES.md", "no/such/file.jpg"])
    func badInput(file: String) throws {
        let result = try Self.run(["exif", TestData.root.appendingPathComponent(file).path])
        #expect(result.status != 0)
        #expect(result.out.isEmpty)
        #expect(result.err.split(separator: "\n").count == 1, "\(result.err)")
    }
}
