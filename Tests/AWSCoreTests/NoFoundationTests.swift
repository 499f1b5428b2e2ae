import Foundation
import Testing

/// The Lambda binary must not link full Foundation (it drags in ICU, whose glibc symbol
/// versions break on Amazon Linux 2023). swift-crypto imports Foundation, which makes
/// Foundation's String overloads (`contains(_: String)`, `range(of:)`...) visible in our
/// modules and silently preferred; one use pulls libFoundation and ICU into the static
/// bootstrap. This checks the compiled objects of AWSCore, S3 and DynamoDB reference no
/// symbol of the `Foundation` module (FoundationEssentials is fine).
@Suite("AWS modules stay on FoundationEssentials")
struct NoFoundationTests {
    static let buildDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug")

    /// The objects of the module's current sources (a deleted source leaves a stale object behind).
    static func objects(_ module: String) -> [String] {
        let directory = buildDirectory.appendingPathComponent("\(module).build")
        let sources = buildDirectory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/\(module)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? []
        return names.filter { $0.hasSuffix(".swift") }
            .map { directory.appendingPathComponent($0 + ".o").path }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    static var available: Bool { !objects("AWSCore").isEmpty && FileManager.default.isExecutableFile(atPath: "/usr/bin/nm") }

    @Test(
        "no undefined reference to a Foundation (non-Essentials) symbol",
        .enabled(if: available, "needs .build/debug objects and nm"), arguments: ["AWSCore", "S3", "DynamoDB"])
    func noFoundationSymbols(_ module: String) throws {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nm")
        process.arguments = ["-u"] + Self.objects(module)
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let offending = output.split(separator: "\n").filter { $0.contains("10Foundation") }
        #expect(offending.isEmpty, "Foundation symbols used by \(module): \(offending.prefix(5))")
    }
}
