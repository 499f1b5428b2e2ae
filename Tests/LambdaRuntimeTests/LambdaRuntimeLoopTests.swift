import Logging
import TestSupport
import Testing

@testable import LambdaRuntime

@Suite("The Runtime API loop, driven through the RuntimeAPI seam")
struct LambdaRuntimeLoopTests {
    func invocation(_ id: String, _ event: String) -> Invocation {
        Invocation(
            requestID: id, deadlineMillis: LambdaClock.nowMillis() + 60_000, invokedFunctionARN: "arn:test", event: Array(event.utf8))
    }

    @Test func responsesKeepTheirRequestIDsAndErrorsDoNotStopTheLoop() async throws {
        let api = FakeRuntimeAPI([invocation("a", "hello"), invocation("b", "fail"), invocation("c", "id")])
        let served = try await LambdaRuntime(api: api).run(maxInvocations: 3) { ScriptedHandler() }
        #expect(served == 3)
        #expect(
            api.sent == [
                .response("a", Array("hello".utf8)),
                .error("b", ErrorReport(errorType: "Failure", errorMessage: "scripted failure")),
                .response("c", Array("c".utf8)),
            ])
    }

    @Test func aRefusedResponseIsAnErrorAndTheLoopGoesOn() async throws {
        let big = String(repeating: "x", count: 7 * 1024 * 1024)
        let api = FakeRuntimeAPI([invocation("a", big), invocation("b", "small")])
        let served = try await LambdaRuntime(api: api).run(maxInvocations: 2) { ScriptedHandler() }
        #expect(served == 2)
        #expect(api.sent.count == 2)
        guard case .error("a", let report) = api.sent.first else {
            Issue.record("expected an error for a, got \(api.sent.first.map { "\($0)".prefix(200) } ?? "nothing")")
            return
        }
        #expect(report.errorType == "Runtime.ResponseRefused")
        #expect(report.errorMessage.contains("7340032-byte response") && report.errorMessage.contains("413"))
        #expect(api.sent.last == .response("b", Array("small".utf8)))
    }

    @Test func initFailureIsReportedAndRethrown() async throws {
        struct BadConfig: Error, LambdaReportableError, CustomStringConvertible {
            var lambdaErrorType: String { "Runtime.InvalidConfiguration" }
            var description: String { "IMAGICON_TABLE must be set" }
        }
        let api = FakeRuntimeAPI([invocation("a", "x")])
        await #expect(throws: BadConfig.self) {
            try await LambdaRuntime(api: api).run { throw BadConfig() }
        }
        #expect(
            api.sent == [.initError(ErrorReport(errorType: "Runtime.InvalidConfiguration", errorMessage: "IMAGICON_TABLE must be set"))])
        #expect(api.pending == 1, "no invocation may be fetched after an init error")
    }

    @Test func transportFailureEndsTheLoop() async throws {
        let api = FakeRuntimeAPI([invocation("a", "x")])
        await #expect(throws: LambdaRuntimeError.self) {
            try await LambdaRuntime(api: api).run(maxInvocations: 5) { ScriptedHandler() }
        }
        #expect(api.sent == [.response("a", Array("x".utf8))])
    }
}

@Suite("Invocation headers, context and error reports")
struct InvocationTests {
    @Test func headersAreReadCaseInsensitively() throws {
        let invocation = try Invocation(
            headers: [
                "lambda-runtime-aws-request-id": "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
                "lambda-runtime-deadline-ms": "1542409706888",
                "lambda-runtime-invoked-function-arn": "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime",
                "lambda-runtime-trace-id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
                "lambda-runtime-client-context": "{\"client\":{}}",
                "lambda-runtime-cognito-identity": "{\"cognitoIdentityId\":\"x\"}",
            ], event: [1, 2])
        #expect(invocation.requestID == "8476a536-e9f4-11e8-9739-2dfe598c3fcd")
        #expect(invocation.deadlineMillis == 1_542_409_706_888)
        #expect(invocation.traceID?.hasPrefix("Root=1-5bef4de7") == true)
        #expect(invocation.clientContext == "{\"client\":{}}")
        #expect(invocation.cognitoIdentity == "{\"cognitoIdentityId\":\"x\"}")
        #expect(invocation.event == [1, 2])
    }

    @Test func missingHeadersAreErrors() {
        #expect(throws: LambdaRuntimeError.self) { try Invocation(headers: ["lambda-runtime-deadline-ms": "1"], event: []) }
        #expect(throws: LambdaRuntimeError.self) {
            try Invocation(headers: ["lambda-runtime-aws-request-id": "x", "lambda-runtime-deadline-ms": "soon"], event: [])
        }
    }

    @Test func remainingTimeCountsDown() {
        let context = LambdaContext(
            requestID: "r", deadlineMillis: LambdaClock.nowMillis() + 5000, invokedFunctionARN: "",
            logger: Logger(label: "t"))
        #expect((4000...5000).contains(context.remainingMillis))
        #expect(context.logger[metadataKey: "requestId"] == .string("r"))
    }

    @Test func errorReportJSONIsEscaped() {
        let report = ErrorReport(errorType: "Bad\"Type", errorMessage: "line1\nline2\u{1}", stackTrace: ["a\\b"])
        #expect(
            String(decoding: report.json, as: UTF8.self)
                == #"{"errorType":"Bad\"Type","errorMessage":"line1\nline2\u0001","stackTrace":["a\\b"]}"#)
    }

    @Test func requestIDsCannotEscapeThePath() {
        #expect(CurlRuntimeAPI.escape("8476a536-e9f4") == "8476a536-e9f4")
        #expect(CurlRuntimeAPI.escape("../init/error?x") == "..%2Finit%2Ferror%3Fx")
    }

    @Test func endpointMustBeHostPort() {
        #expect(throws: LambdaRuntimeError.self) { try CurlRuntimeAPI(endpoint: "") }
        #expect(throws: LambdaRuntimeError.self) { try CurlRuntimeAPI(endpoint: "http://127.0.0.1:9001") }
    }

    @Test func iso8601() {
        #expect(LambdaClock.iso8601(millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(LambdaClock.iso8601(millis: 1_795_430_130_123) == "2026-11-23T10:35:30.123Z")
    }
}
