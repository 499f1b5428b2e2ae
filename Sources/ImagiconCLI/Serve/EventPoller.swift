import Foundation
import Imagicon
import SQS

/// The SQS event source of the `process` function, as Lambda runs one: long-polls the queue, hands
/// each batch to the function as an SQS event, deletes the messages that succeeded and leaves those
/// named in `batchItemFailures` (or the whole batch, when the invocation failed) to come back after
/// the visibility timeout; the queue's redrive policy moves a message that keeps failing aside.
///
/// Once the queue is empty after some events (uploads have settled), the `people` function groups
/// the faces of the albums they touched, as the table's stream trigger does in AWS (template.yaml).
final class EventPoller: Sendable {
    let sqs: SQSClient
    let queueURL: String
    let queueARN: String
    let region: String
    let host: FunctionHost
    /// The `people` function, run on the touched albums when the queue runs empty.
    let people: FunctionHost?
    private let task = LockedTask()
    private let touched = LockedAlbums()

    init(sqs: SQSClient, queueURL: String, queueARN: String, region: String, host: FunctionHost, people: FunctionHost? = nil) {
        self.sqs = sqs
        self.queueURL = queueURL
        self.queueARN = queueARN
        self.region = region
        self.host = host
        self.people = people
    }

    func start() {
        task.set(
            Task { [self] in
                while !Task.isCancelled {
                    do {
                        try await pollOnce()
                    } catch {
                        if Task.isCancelled { break }
                        log("events: \(error)")
                        try? await Task.sleep(for: .seconds(2))
                    }
                }
            })
    }

    func stop() { task.cancel() }

    /// One receive (long poll) and, if anything came, one invocation.
    func pollOnce(waitSeconds: Int = 5) async throws {
        let messages = try await sqs.receiveMessages(queueURL, maxMessages: 10, waitSeconds: waitSeconds)
        guard !messages.isEmpty else {
            try await groupPeople()
            return
        }
        let invocation = try await host.invoke(Self.event(messages, queueARN: queueARN, region: region))
        let failed: Set<String>
        switch invocation.outcome {
        case .response(let payload):
            failed = Self.batchItemFailures(payload)
        case .error(let report), .initError(let report):
            log("process: \(report.errorType): \(report.errorMessage) (\(messages.count) message(s) will be retried)")
            failed = Set(messages.map(\.messageId))
        case .timedOut:
            log("process: timed out (\(messages.count) message(s) will be retried)")
            failed = Set(messages.map(\.messageId))
        case .crashed(let code, let signal):
            log("process: bootstrap died (status \(code.map(String.init) ?? "-"), signal \(signal.map(String.init) ?? "-"))")
            failed = Set(messages.map(\.messageId))
        }
        for message in messages where !failed.contains(message.messageId) {
            try await sqs.deleteMessage(queueURL, receiptHandle: message.receiptHandle)
            touched.insert(Self.albums(message))
        }
        log(
            "process: \(messages.count - failed.count) event message(s) done, \(failed.count) left to retry, \(Int(invocation.durationMs)) ms"
        )
    }

    /// Runs the `people` function on the albums touched since the last run, if any.
    func groupPeople() async throws {
        guard let people else { return }
        let albums = touched.take()
        guard !albums.isEmpty else { return }
        let event = try JSONSerialization.data(withJSONObject: ["albums": albums.sorted()])
        let invocation = try await people.invoke(event)
        switch invocation.outcome {
        case .response:
            log("people: grouped \(albums.count) album(s), \(Int(invocation.durationMs)) ms")
        default:
            log("people: failed (\(invocation.outcome)); will retry after the next events")
            touched.insert(albums)
        }
    }

    /// The albums of the objects an S3 event message names.
    static func albums(_ message: SQSMessage) -> Set<String> {
        guard case .objects(let objects)? = try? LambdaEvent.decode(Array(message.body.utf8)) else { return [] }
        return Set(objects.map { StorageLayout.album(ofKey: $0.key) })
    }

    /// The Lambda SQS event of a batch.
    static func event(_ messages: [SQSMessage], queueARN: String, region: String) -> Data {
        let records: [[String: Any]] = messages.map { message in
            [
                "messageId": message.messageId, "receiptHandle": message.receiptHandle, "body": message.body,
                "attributes": message.attributes, "messageAttributes": [String: Any](), "md5OfBody": message.md5OfBody ?? "",
                "eventSource": "aws:sqs", "eventSourceARN": queueARN, "awsRegion": region,
            ]
        }
        return (try? JSONSerialization.data(withJSONObject: ["Records": records], options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
    }

    /// The message ids of `{"batchItemFailures":[{"itemIdentifier"}]}`; an answer without that list
    /// means the whole batch succeeded, as Lambda reads it.
    static func batchItemFailures(_ payload: Data) -> Set<String> {
        guard let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any],
            let failures = object["batchItemFailures"] as? [[String: Any]]
        else { return [] }
        return Set(failures.compactMap { $0["itemIdentifier"] as? String })
    }
}

/// A task handle behind a lock, so a Sendable owner can start and cancel it.
final class LockedTask: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?

    func set(_ task: Task<Void, Never>) {
        lock.withLock { self.task = task }
    }

    func cancel() {
        lock.withLock { task?.cancel() }
    }
}

/// A set of album names behind a lock.
final class LockedAlbums: @unchecked Sendable {
    private let lock = NSLock()
    private var albums: Set<String> = []

    func insert(_ more: Set<String>) {
        lock.withLock { albums.formUnion(more) }
    }

    /// The albums, emptying the set.
    func take() -> Set<String> {
        lock.withLock {
            defer { albums = [] }
            return albums
        }
    }
}
