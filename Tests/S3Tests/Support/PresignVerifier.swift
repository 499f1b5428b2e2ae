import Foundation
import TestSupport

/// Runs Fixtures/presign_verifier.py: an HTTP server that checks presigned URLs with
/// botocore's signer. Stops when its stdin closes (also if this process dies).
final class PresignVerifier: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let endpoint: String

    init(accessKeyID: String, secret: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/presign_verifier.py")
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, accessKeyID, secret]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var text = ""
        while !text.contains("READY") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PORT=") }) else {
            try? input.fileHandleForWriting.close()
            throw MotoServer.MotoError.didNotStart
        }
        endpoint = "http://127.0.0.1:\(line.dropFirst(5))"
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
