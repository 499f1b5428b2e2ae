import AWSCore
import Foundation
import LambdaRuntime
import S3
import TestSupport
import Testing

@testable import Imagicon

/// Every function handler's AWS calls take their timeouts and retries from the invocation's deadline.
@Suite("handlers bound AWS calls by the invocation's deadline (in process)")
struct DeadlineBoundHandlerTests {
    /// Reads every object it is asked to process from S3 and reports it processed.
    struct ReadingProcessor: ObjectProcessing {
        let s3: S3Client
        func process(_ event: ObjectEvent, context: LambdaContext) async throws -> ObjectOutcome {
            _ = try await s3.getObject(bucket: event.bucket, key: event.key, maxBytes: 1 << 20)
            return ObjectOutcome(status: .processed, bucket: event.bucket, key: event.key)
        }
    }

    static let event = Array(
        #"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"a/1.jpg","size":2}}}]}"#.utf8)

    static func handler(_ transport: ScriptedTransport) -> DeadlineBoundHandler {
        let engine = transport.engine(service: "s3", rules: .s3, now: { Date() })
        return DeadlineBoundHandler(ProcessHandler(processor: ReadingProcessor(s3: S3Client(engine: engine))))
    }

    @Test("the process handler's S3 calls end before the invocation's deadline, less the reserve")
    func timeoutsFromTheDeadline() async throws {
        let transport = ScriptedTransport { _ throws(AWSError) in HTTPResponse(status: 200, body: [1, 2]) }
        _ = try await Self.handler(transport).handle(Self.event, context: .test(deadlineInMillis: 3000))
        let limits = try #require(transport.sentLimits.first)
        #expect(limits.totalTimeoutMilliseconds <= 3000 - Int(DeadlineBoundHandler.reserveMillis))
        #expect(limits.totalTimeoutMilliseconds > 0)
    }

    @Test("with less than the reserve left, nothing is sent and the invocation fails for a retry")
    func pastTheDeadline() async throws {
        let transport = ScriptedTransport { _ throws(AWSError) in HTTPResponse(status: 200, body: [1, 2]) }
        let error = await #expect(throws: AWSError.self) {
            try await Self.handler(transport).handle(Self.event, context: .test(deadlineInMillis: 500))
        }
        #expect(error?.code == .timeout)
        #expect(error?.message.contains("GetObject not sent") == true)
        #expect(transport.count == 0)
    }

    @Test("the factory wraps every handler it builds")
    func factoryWraps() throws {
        let handler = try HandlerFactory.make(environment: ["_HANDLER": "diagnostics", "IMAGICON_DIAGNOSTICS": "1"])
        #expect(handler is DeadlineBoundHandler)
        let context = LambdaContext.test(deadlineInMillis: 10_000)
        #expect(DeadlineBoundHandler.awsDeadline(of: context) == AWSDeadline(epochMillis: context.deadlineMillis - 1000))
    }
}
