import Foundation
import Testing

/// `bootstrap` started directly against a Runtime API that never answers `/next` (an idle function).
@Suite("bootstrap process lifecycle")
struct BootstrapSignalTests {
    /// A loopback listener that accepts connections and never answers.
    final class SilentListener {
        let fd: Int32
        let port: UInt16

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.fd = fd
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard bound, listen(fd, 8) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit { close(fd) }
    }

    @Test func sigtermWhileWaitingForAnEventExitsCleanly() throws {
        let listener = try SilentListener()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.bootstrap)
        process.environment = [
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(listener.port)", "_HANDLER": "diagnostics", "IMAGICON_DIAGNOSTICS": "1",
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.5) // the loop is now blocked in GET /next
        #expect(process.isRunning)
        process.terminate() // SIGTERM
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    @Test func missingRuntimeAPIExitsWithAReason() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.bootstrap)
        process.environment = [:]
        let err = Pipe()
        process.standardError = err
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(text.contains("AWS_LAMBDA_RUNTIME_API"))
    }
}
