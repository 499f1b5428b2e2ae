import Foundation
import LambdaRuntime

/// How one invocation through a `FunctionHost` went.
struct HostedInvocation: Sendable {
    let requestID: String
    let outcome: InvocationOutcome
    let durationMs: Double
    /// Milliseconds from starting the child to its first `/next`, when this invocation started a child.
    let coldStartMs: Double?
    /// The child's resident and peak resident memory after the invocation, KiB (nil once it is gone).
    let residentKiB: Int?
    let peakResidentKiB: Int?
}

/// One Lambda function on this machine: a local Runtime API and a `bootstrap` child kept alive across
/// invocations, one invocation at a time as in a Lambda execution environment; the child is killed on
/// timeout and restarted after a timeout, crash or init error.
actor FunctionHost {
    let bootstrapPath: String
    let timeout: Double
    let functionName: String
    /// Extra environment for the child, over ours.
    let environment: [String: String]
    private let state = LocalRuntimeState()
    private var api: LocalRuntimeAPI?
    private var endpoint: String?
    private var child: BootstrapChild?
    /// Callers waiting for their turn (FIFO).
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var busy = false

    init(bootstrapPath: String, timeout: Double, functionName: String, environment: [String: String]) {
        self.bootstrapPath = bootstrapPath
        self.timeout = timeout
        self.functionName = functionName
        self.environment = environment
    }

    /// Serves `event` to the child (starting one if needed) and waits for its outcome.
    func invoke(_ event: Data) async throws -> HostedInvocation {
        await acquire()
        defer { release() }
        if endpoint == nil {
            let api = try LocalRuntimeAPI(state: state)
            endpoint = try await api.start()
            self.api = api
        }
        let spawned = child == nil
        if spawned {
            let generation = await state.childGone()
            child = try startChild(endpoint: endpoint!, generation: generation)
        }
        let requestID = UUID().uuidString.lowercased()
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + Int64(timeout * 1000)
        let hex = requestID.replacingOccurrences(of: "-", with: "")
        let trace = "Root=1-\(String(Int(Date().timeIntervalSince1970), radix: 16))-\(hex.prefix(24));Parent=\(hex.prefix(16));Sampled=0"
        await state.offer(
            PendingInvocation(
                requestID: requestID, deadlineMillis: deadline, event: event, traceID: trace,
                functionARN: "arn:aws:lambda:us-east-1:000000000000:function:\(functionName)"))
        let state = self.state
        let timer = Task { [timeout] in
            try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
            await state.resolve(requestID, with: .timedOut)
        }
        let outcome = await state.outcome(of: requestID)
        timer.cancel()
        var coldStart: Double?
        if spawned, let running = child, let first = await state.firstNextAt, first >= running.startedAt {
            coldStart = Double(first - running.startedAt) / 1e6
        }
        let duration = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        switch outcome {
        case .response, .error:
            break
        case .timedOut:
            child?.kill()
            child = nil
        case .crashed, .initError:
            child = nil
        }
        let healthy = child != nil
        return HostedInvocation(
            requestID: requestID, outcome: outcome, durationMs: duration, coldStartMs: coldStart,
            residentKiB: healthy ? child?.residentKiB : nil, peakResidentKiB: healthy ? child?.peakResidentKiB : nil)
    }

    /// Kills the child and stops the Runtime API.
    func stop() async {
        child?.kill()
        child = nil
        // Release the dead child's pending long poll (and any still on its way), else the server
        // waits for that handler forever.
        await state.close()
        await api?.stop()
        api = nil
        endpoint = nil
    }

    /// The child's process id, if one is running.
    var childPID: Int32? { child?.pid }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }

    private func startChild(endpoint: String, generation: Int) throws -> BootstrapChild {
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_LAMBDA_RUNTIME_API"] = endpoint
        environment["AWS_LAMBDA_FUNCTION_NAME"] = functionName
        environment["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
        environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] ?? "1024"
        environment["AWS_LAMBDA_FUNCTION_TIMEOUT"] = String(Int(timeout.rounded(.up)))
        environment.merge(self.environment) { _, new in new }
        let state = self.state
        return try BootstrapChild(path: bootstrapPath, environment: environment) { code, signal in
            Task { await state.childExited(generation: generation, code: code, signal: signal) }
        }
    }
}
