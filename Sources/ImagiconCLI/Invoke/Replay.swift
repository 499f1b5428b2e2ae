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
        let state = LocalRuntimeState()
        let api = try LocalRuntimeAPI(state: state)
        let endpoint = try await api.start()
        var child: BootstrapChild?
        var records: [InvocationRecord] = []
        defer { child?.kill() }

        for (path, payload) in events {
            var coldStart: Double?
            let spawned = child == nil
            if spawned {
                let generation = await state.childGone()
                child = try startChild(endpoint: endpoint, state: state, generation: generation)
            }
            let requestID = UUID().uuidString.lowercased()
            let start = DispatchTime.now().uptimeNanoseconds
            let deadline = Int64(Date().timeIntervalSince1970 * 1000) + Int64(timeout * 1000)
            let trace =
                "Root=1-\(String(Int(Date().timeIntervalSince1970), radix: 16))-\(requestID.replacingOccurrences(of: "-", with: "").prefix(24));Parent=\(requestID.prefix(16).replacingOccurrences(of: "-", with: "0"));Sampled=0"
            await state.offer(
                PendingInvocation(
                    requestID: requestID, deadlineMillis: deadline, event: payload, traceID: trace,
                    functionARN: "arn:aws:lambda:us-east-1:000000000000:function:\(functionName)"))
            let timer = Task { [timeout] in
                try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                await state.resolve(requestID, with: .timedOut)
            }
            let outcome = await state.outcome(of: requestID)
            timer.cancel()
            if spawned, let running = child, let first = await state.firstNextAt, first >= running.startedAt {
                coldStart = Double(first - running.startedAt) / 1e6
            }
            var record = InvocationRecord(
                event: path, requestId: requestID, status: "success",
                durationMs: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6,
                coldStartMs: coldStart, bootstrapRSSKiB: child?.residentKiB,
                bootstrapPeakRSSKiB: child?.peakResidentKiB)
            switch outcome {
            case .response(let body):
                record.response = (try? JSONValue.parse(Array(body))) ?? .string(String(decoding: body, as: UTF8.self))
            case .error(let report):
                record.status = "error"
                record.error = .init(errorType: report.errorType, errorMessage: report.errorMessage, stackTrace: report.stackTrace)
            case .timedOut:
                record.status = "timeout"
                record.error = .init(
                    errorType: "Sandbox.Timedout",
                    errorMessage: "Task timed out after \(timeout) seconds", stackTrace: [])
                child?.kill()
                child = nil
            case .crashed(let code, let signal):
                record.status = "crash"
                record.exitCode = code
                record.signal = signal
                record.error = .init(
                    errorType: "Runtime.ExitError",
                    errorMessage: signal.map { "bootstrap killed by signal \($0)" } ?? "bootstrap exited with status \(code ?? -1)",
                    stackTrace: [])
                child = nil
            case .initError(let report):
                record.status = "initError"
                record.error = .init(errorType: report.errorType, errorMessage: report.errorMessage, stackTrace: report.stackTrace)
                child = nil
            }
            if record.status != "success" {
                record.bootstrapRSSKiB = nil
                record.bootstrapPeakRSSKiB = nil
            }
            records.append(record)
        }
        child?.kill()
        child = nil
        // Release the dead child's pending long poll (and any still on its way), else the server
        // waits for that handler forever.
        await state.close()
        await api.stop()
        return records
    }

    private func startChild(endpoint: String, state: LocalRuntimeState, generation: Int) throws -> BootstrapChild {
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_LAMBDA_RUNTIME_API"] = endpoint
        environment["AWS_LAMBDA_FUNCTION_NAME"] = functionName
        environment["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
        environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] ?? "1024"
        environment["AWS_LAMBDA_FUNCTION_TIMEOUT"] = String(Int(timeout.rounded(.up)))
        for pair in extraEnvironment {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return try BootstrapChild(path: bootstrapPath, environment: environment) { code, signal in
            Task { await state.childExited(generation: generation, code: code, signal: signal) }
        }
    }
}
