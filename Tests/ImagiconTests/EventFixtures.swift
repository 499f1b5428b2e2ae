import Foundation

/// The repository's `events/` folder, found from this file's path.
enum EventFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("events")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Every fixture file name under `events/` (relative), malformed ones included.
    static func all() throws -> [String] {
        let top = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        let bad = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("malformed").path)
            .filter { $0.hasSuffix(".json") }.map { "malformed/\($0)" }
        return (top + bad).sorted()
    }
}
