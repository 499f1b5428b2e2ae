import Dispatch
import LambdaRuntime
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `process` function: S3 ObjectCreated/ObjectRemoved events (direct, SQS-wrapped or via
/// EventBridge) -> thumbnails, metadata, faces and records.
///
/// Bad images become `failed` records and the invocation succeeds; transient AWS failures and an
/// approaching deadline fail it so Lambda retries. For SQS batches only the failed messages are
/// reported back (`batchItemFailures`).
public struct ProcessHandler: LambdaHandler {
    let processor: any ObjectProcessing

    /// Creates the handler around a configured processor.
    public init(processor: any ObjectProcessing) {
        self.processor = processor
    }

    public func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let start = DispatchTime.now().uptimeNanoseconds
        var outcomes: [ObjectOutcome] = []
        var response: [String: JSONValue]
        defer {
            func count(_ status: ObjectOutcome.Status) -> Int { outcomes.filter { $0.status == status }.count }
            MetricsLog.emit(
                function: "process",
                counts: [
                    "ImagesProcessed": count(.processed), "ImagesFailed": count(.failed), "ObjectsSkipped": count(.skipped),
                    "ObjectsDeleted": count(.deleted),
                ],
                millis: ["InvocationDuration": Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6])
        }
        switch try LambdaEvent.decode(event) {
        case .s3TestEvent:
            context.logger.info("s3:TestEvent acknowledged")
            response = ["status": .string("ignored"), "reason": .string("s3:TestEvent")]
        case .objects(let objects):
            for object in objects {
                outcomes.append(try await processLogged(object, context: context))
            }
            response = ["objects": Self.json(outcomes)]
        case .sqs(let messages):
            var failures: [JSONValue] = []
            for message in messages {
                do {
                    switch message.content {
                    case .failure(let error):
                        // Undecodable bodies go back to the queue, and to its dead-letter queue after maxReceiveCount.
                        context.logger.error(
                            "SQS message undecodable", metadata: ["messageId": .string(message.messageID), "error": .string(error.message)])
                        failures.append(.object(["itemIdentifier": .string(message.messageID)]))
                    case .success(.objects(let objects)):
                        for object in objects {
                            outcomes.append(try await processLogged(object, context: context))
                        }
                    case .success(.s3TestEvent), .success(.sqs):
                        break
                    }
                } catch {
                    failures.append(.object(["itemIdentifier": .string(message.messageID)]))
                }
            }
            response = ["batchItemFailures": .array(failures)]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(JSONValue.object(response)))
    }

    /// Processes one object and writes its log line (status, timings).
    private func processLogged(_ object: ObjectEvent, context: LambdaContext) async throws -> ObjectOutcome {
        let start = DispatchTime.now().uptimeNanoseconds
        var metadata: Logger.Metadata = [
            "bucket": .string(object.bucket), "key": .string(object.key), "eventName": .string(object.eventName),
        ]
        do {
            let outcome: ObjectOutcome
            if object.kind == .other {
                outcome = ObjectOutcome(
                    status: .skipped, bucket: object.bucket, key: object.key, reason: "\(object.eventName) events are not acted on")
            } else {
                outcome = try await processor.process(object, context: context)
            }
            metadata["status"] = .string(outcome.status.rawValue)
            if let reason = outcome.reason { metadata["reason"] = .string(reason) }
            if let faces = outcome.faceCount { metadata["faceCount"] = .stringConvertible(faces) }
            if let dropped = outcome.facesDropped { metadata["facesDropped"] = .stringConvertible(dropped) }
            if !outcome.timingsMs.isEmpty {
                metadata["stagesMs"] = .dictionary(outcome.timingsMs.mapValues { .stringConvertible(($0 * 1000).rounded() / 1000) })
            }
            metadata["durationMs"] = .stringConvertible(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            context.logger.info("object \(outcome.status.rawValue)", metadata: metadata)
            return outcome
        } catch {
            metadata["status"] = .string("error")
            metadata["error"] = .string(String(describing: error))
            metadata["durationMs"] = .stringConvertible(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            context.logger.error("object not finished", metadata: metadata)
            throw error
        }
    }

    static func json(_ outcomes: [ObjectOutcome]) -> JSONValue {
        .array(
            outcomes.map { o in
                var fields: [String: JSONValue] = [
                    "status": .string(o.status.rawValue), "bucket": .string(o.bucket), "key": .string(o.key),
                ]
                if let reason = o.reason { fields["reason"] = .string(reason) }
                if let faces = o.faceCount { fields["faceCount"] = .number(Double(faces)) }
                if let dropped = o.facesDropped { fields["facesDropped"] = .number(Double(dropped)) }
                return .object(fields)
            })
    }
}

/// What ``ProcessHandler`` needs of a processor: one object event in, its outcome out (or a
/// ``ProcessingError`` when the invocation must be retried). ``ObjectProcessor`` is the real one.
public protocol ObjectProcessing: Sendable {
    /// Processes one object event.
    func process(_ event: ObjectEvent, context: LambdaContext) async throws -> ObjectOutcome
}

extension ObjectProcessor: ObjectProcessing {}
