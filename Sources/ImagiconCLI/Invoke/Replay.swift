import Foundation
import Imagicon
import LambdaRuntime

/// What `imagicon invoke` prints for one invocation.
struct InvocationRecord: Encodable {
    var event: String
    var requestId: String
    /// `success`, `error`, `timeout`, `crash` or `initError`.
    var status: String
    var durationMs: Double
    var response: JSONValue?
    var error: ErrorBody?
    var exitCode: Int32?
    var signal: Int32?
    /// Milliseconds from starting the child to its first `/next`, when this invocation started a child.
    var coldStartMs: Double?
    /// The child's resident memory after the invocation, KiB.
    var bootstrapRSSKiB: Int?
    /// The child's peak resident memory so far, KiB.
    var bootstrapPeakRSSKiB: Int?

    struct ErrorBody: Encodable {
        var errorType: String
        var errorMessage: String
        var stackTrace: [String]
    }
}

/// The whole `imagicon invoke` document.
struct InvokeReport: Encodable {
    struct Summary: Encodable {
        var invocations: Int
        var succeeded: Int
        var failed: Int
        var childStarts: Int
        var meanDurationMs: Double
    }

    var invocations: [InvocationRecord]
    var summary: Summary

    init(invocations: [InvocationRecord]) {
        self.invocations = invocations
        let ok = invocations.filter { $0.status == "success" }.count
        summary = Summary(
            invocations: invocations.count, succeeded: ok, failed: invocations.count - ok,
            childStarts: invocations.filter { $0.coldStartMs != nil }.count,
            meanDurationMs: invocations.isEmpty ? 0 : invocations.map(\.durationMs).reduce(0, +) / Double(invocations.count))
    }
}

/// Serves events one by one to a bootstrap child, restarting it after a timeout, crash or init error.
struct Replay {
    let bootstrapPath: String
    let timeout: Double
    let functionName: String
    let extraEnvironment: [String]

    func run(_ events: [(String, Data)]) async throws -> [InvocationRecord] {
        var environment: [String: String] = [:]
        for pair in extraEnvironment {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        let host = FunctionHost(bootstrapPath: bootstrapPath, timeout: timeout, functionName: functionName, environment: environment)
        var records: [InvocationRecord] = []
        do {
            for (path, payload) in events {
                records.append(Self.record(of: try await host.invoke(payload), event: path, timeout: timeout))
            }
        } catch {
            await host.stop()
            throw error
        }
        await host.stop()
        return records
    }

    /// What `imagicon invoke` prints for one hosted invocation.
    static func record(of invocation: HostedInvocation, event: String, timeout: Double) -> InvocationRecord {
        var record = InvocationRecord(
            event: event, requestId: invocation.requestID, status: "success", durationMs: invocation.durationMs,
            coldStartMs: invocation.coldStartMs, bootstrapRSSKiB: invocation.residentKiB,
            bootstrapPeakRSSKiB: invocation.peakResidentKiB)
        switch invocation.outcome {
        case .response(let body):
            record.response = (try? JSONValue.parse(Array(body))) ?? .string(String(decoding: body, as: UTF8.self))
        case .error(let report):
            record.status = "error"
            record.error = .init(errorType: report.errorType, errorMessage: report.errorMessage, stackTrace: report.stackTrace)
        case .timedOut:
            record.status = "timeout"
            record.error = .init(errorType: "Sandbox.Timedout", errorMessage: "Task timed out after \(timeout) seconds", stackTrace: [])
        case .crashed(let code, let signal):
            record.status = "crash"
            record.exitCode = code
            record.signal = signal
            record.error = .init(
                errorType: "Runtime.ExitError",
                errorMessage: signal.map { "bootstrap killed by signal \($0)" } ?? "bootstrap exited with status \(code ?? -1)",
                stackTrace: [])
        case .initError(let report):
            record.status = "initError"
            record.error = .init(errorType: report.errorType, errorMessage: report.errorMessage, stackTrace: report.stackTrace)
        }
        if record.status != "success" {
            record.bootstrapRSSKiB = nil
            record.bootstrapPeakRSSKiB = nil
        }
        return record
    }
}
