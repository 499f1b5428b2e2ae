import Foundation
import Testing

/// `imagicon invoke` driving the real `bootstrap` binary over a local Runtime API.
@Suite("imagicon invoke drives the real bootstrap", .serialized)
struct InvokeBootstrapTests {
    let diagnostics = ["--env", "_HANDLER=diagnostics", "--env", "IMAGICON_DIAGNOSTICS=1"]

    func invoke(_ events: [String], _ extra: [String] = [], timeout: Double = 30) throws -> (Int32, [[String: Any]], [String: Any]) {
        let result = try Binaries.runImagicon(
            ["invoke"] + events + ["--bootstrap", Binaries.bootstrap, "--timeout", String(timeout)] + extra)
        let json = try result.json()
        let invocations = try #require(json["invocations"] as? [[String: Any]], "stderr: \(result.stderr.suffix(2000))")
        let summary = try #require(json["summary"] as? [String: Any])
        return (result.status, invocations, summary)
    }

    @Test func manyInvocationsOnOneProcessKeepTheirRequestIDs() throws {
        let dir = try Binaries.temporaryDirectory()
        let events = try (0..<40).map { try Binaries.eventFile(#"{"action":"context","n":\#($0)}"#, in: dir) }
        let (status, invocations, summary) = try invoke(events, diagnostics)
        #expect(status == 0)
        #expect(summary["childStarts"] as? Int == 1)
        #expect(invocations.count == 40)
        for (n, record) in invocations.enumerated() {
            let response = try #require(record["response"] as? [String: Any])
            #expect(record["status"] as? String == "success")
            #expect(response["requestId"] as? String == record["requestId"] as? String)
            #expect((response["event"] as? [String: Any])?["n"] as? Int == n)
            // The trace header is exported to the environment for each invocation.
            #expect(response["xAmznTraceIdEnv"] as? String == response["traceId"] as? String)
            #expect((response["traceId"] as? String)?.hasPrefix("Root=1-") == true)
            let remaining = try #require(response["remainingMs"] as? Double)
            #expect(remaining > 0 && remaining <= 30_000)
            #expect((response["invokedFunctionArn"] as? String)?.hasPrefix("arn:aws:lambda:") == true)
        }
        #expect(Set(invocations.compactMap { $0["requestId"] as? String }).count == 40)
    }

    @Test func handlerErrorsAreReportedAndTheLoopGoesOn() throws {
        let dir = try Binaries.temporaryDirectory()
        let ok = try Binaries.eventFile(#"{"action":"echo"}"#, in: dir)
        let fail = try Binaries.eventFile(#"{"action":"fail","message":"bad thing"}"#, in: dir)
        let (status, invocations, summary) = try invoke([ok, fail, ok], diagnostics)
        #expect(status == 1)
        #expect(invocations.map { $0["status"] as? String } == ["success", "error", "success"])
        let error = try #require(invocations[1]["error"] as? [String: Any])
        #expect(error["errorType"] as? String == "DiagnosticsFailure")
        #expect(error["errorMessage"] as? String == "bad thing")
        #expect(summary["childStarts"] as? Int == 1)
    }

    @Test func badConfigurationIsAnInitError() throws {
        let dir = try Binaries.temporaryDirectory()
        let event = try Binaries.eventFile(#"{"action":"echo"}"#, in: dir)
        let unknown = try invoke([event], ["--env", "_HANDLER=thumbnailer"])
        #expect(unknown.1.first?["status"] as? String == "initError")
        #expect((unknown.1.first?["error"] as? [String: Any])?["errorType"] as? String == "Runtime.UnknownHandler")

        let noTable = try invoke([event], ["--env", "_HANDLER=process", "--env", "IMAGICON_TABLE="])
        let error = try #require(noTable.1.first?["error"] as? [String: Any])
        #expect(noTable.1.first?["status"] as? String == "initError")
        #expect(error["errorType"] as? String == "Runtime.InvalidConfiguration")
        #expect((error["errorMessage"] as? String)?.contains("IMAGICON_TABLE") == true)

        let noModels = try invoke(
            [event], ["--env", "_HANDLER=search", "--env", "IMAGICON_TABLE=t", "--env", "IMAGICON_MODELS_DIR=/nonexistent"])
        #expect((noModels.1.first?["error"] as? [String: Any])?["errorType"] as? String == "Runtime.ModelsUnavailable")

        let badSizes = try invoke([event], ["--env", "_HANDLER=process", "--env", "IMAGICON_THUMBNAIL_SIZES=big"])
        #expect((badSizes.1.first?["error"] as? [String: Any])?["errorType"] as? String == "Runtime.InvalidConfiguration")
    }

    @Test func aResponseOverSixMegabytesIsAnErrorAndTheSameProcessServesTheNext() throws {
        let dir = try Binaries.temporaryDirectory()
        let big = try Binaries.eventFile(#"{"action":"echo","pad":"\#(String(repeating: "x", count: 7 * 1024 * 1024))"}"#, in: dir)
        let ok = try Binaries.eventFile(#"{"action":"echo"}"#, in: dir)
        let (_, invocations, summary) = try invoke([big, ok], diagnostics)
        #expect(invocations.map { $0["status"] as? String } == ["error", "success"])
        let error = try #require(invocations[0]["error"] as? [String: Any])
        #expect(error["errorType"] as? String == "Runtime.ResponseRefused")
        #expect((error["errorMessage"] as? String)?.contains("413") == true)
        #expect(summary["childStarts"] as? Int == 1, "the refusal must not cost a cold start")
    }

    @Test func overrunningTheDeadlineIsATimeoutAndTheNextEventGetsAFreshProcess() throws {
        let dir = try Binaries.temporaryDirectory()
        let slow = try Binaries.eventFile(#"{"action":"sleep","ms":20000}"#, in: dir)
        let ok = try Binaries.eventFile(#"{"action":"echo"}"#, in: dir)
        let started = Date()
        let (_, invocations, summary) = try invoke([slow, ok], diagnostics, timeout: 1)
        #expect(Date().timeIntervalSince(started) < 15, "the timeout must cut the 20 s sleep short")
        #expect(invocations.map { $0["status"] as? String } == ["timeout", "success"])
        #expect((invocations[0]["error"] as? [String: Any])?["errorType"] as? String == "Sandbox.Timedout")
        #expect(summary["childStarts"] as? Int == 2)
    }

    @Test func crashingChildIsReported() throws {
        let dir = try Binaries.temporaryDirectory()
        let crash = try Binaries.eventFile(#"{"action":"crash"}"#, in: dir)
        let exit3 = try Binaries.eventFile(#"{"action":"exit","code":3}"#, in: dir)
        let ok = try Binaries.eventFile(#"{"action":"echo"}"#, in: dir)
        let (_, invocations, _) = try invoke([crash, exit3, ok], diagnostics + ["--env", "SWIFT_BACKTRACE=enable=no"])
        #expect(invocations.map { $0["status"] as? String } == ["crash", "crash", "success"])
        #expect(invocations[0]["signal"] as? Int != nil)
        #expect(invocations[1]["exitCode"] as? Int == 3)
    }

    @Test func thousandInvocationsWithFlatMemory() throws {
        let dir = try Binaries.temporaryDirectory()
        let event = try Binaries.eventFile(#"{"action":"allocate","mb":4}"#, in: dir)
        let (status, invocations, summary) = try invoke([event], diagnostics + ["--repeat", "1000"])
        #expect(status == 0)
        #expect(summary["succeeded"] as? Int == 1000)
        #expect(summary["childStarts"] as? Int == 1)
        let rss = invocations.compactMap { $0["bootstrapRSSKiB"] as? Int }
        #expect(rss.count == 1000)
        // After warm-up, resident memory must not grow with the number of invocations.
        let early = rss[99]
        let late = rss[999]
        #expect(late - early < 4096, "RSS grew from \(early) KiB to \(late) KiB over 900 invocations")
    }

    @Test func realFixturesReachTheHandler() throws {
        let events = ["s3-put-jpeg.json", "sqs-s3-put.json", "eventbridge-object-created.json", "function-url-convert.json"]
            .map { Binaries.repositoryRoot.appendingPathComponent("events/\($0)").path }
        let (status, invocations, _) = try invoke(events, diagnostics)
        #expect(status == 0)
        #expect(invocations.count == 4)
        let echoed = invocations.compactMap { (($0["response"] as? [String: Any])?["echo"] as? [String: Any]) }
        #expect(echoed.count == 4)
        #expect(echoed[0]["Records"] != nil)
    }

    @Test func badCommandLineExitsNonZeroWithOneLine() throws {
        let missing = try Binaries.runImagicon(["invoke", "/nonexistent/event.json", "--bootstrap", Binaries.bootstrap])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot read event file"))
        let badBootstrap = try Binaries.runImagicon(["invoke", "x.json", "--bootstrap", "/nonexistent/bootstrap"])
        #expect(badBootstrap.status != 0)
    }
}
