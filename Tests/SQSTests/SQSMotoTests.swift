import Foundation
import TestSupport
import Testing

@testable import AWSCore
@testable import S3
@testable import SQS

/// The SQS client against a real moto_server with signature checks on, fed the way `imagicon serve`
/// feeds it: S3 bucket notifications of uploads.
@Suite(
    "SQS against a real moto_server", .serialized,
    .enabled(if: MotoServer.available, "needs moto's server: pip install 'moto[server]'"))
struct SQSMotoTests {
    static func clients(_ server: MotoServer, secret: String? = nil) throws -> (SQSClient, S3Client) {
        let credentials = AWSCredentials(accessKeyID: server.accessKeyID, secretAccessKey: secret ?? server.secretAccessKey)
        let endpoint = try AWSEndpoint(url: server.endpoint)
        return (
            SQSClient(credentials: credentials, region: server.region, endpoint: endpoint, retry: .none),
            S3Client(credentials: credentials, region: server.region, endpoint: endpoint, retry: .none)
        )
    }

    /// Receives until a message whose body mentions `needle` arrives (moto may send S3's test event first).
    static func receive(_ sqs: SQSClient, _ queue: String, containing needle: String, visibilityTimeout: Int? = nil) async throws
        -> SQSMessage?
    {
        for _ in 0..<10 {
            for message in try await sqs.receiveMessages(queue, maxMessages: 10, waitSeconds: 1, visibilityTimeout: visibilityTimeout) {
                if message.body.contains(needle) { return message }
                try await sqs.deleteMessage(queue, receiptHandle: message.receiptHandle)
            }
        }
        return nil
    }

    @Test("queues, S3 notifications, receive, delete, redelivery, purge")
    func operations() async throws {
        let server = try MotoServer(auth: true)
        defer { server.stop() }
        let (sqs, s3) = try Self.clients(server)

        let queue = try await sqs.createQueue("imagicon-events", attributes: ["VisibilityTimeout": "120"])
        #expect(queue.hasSuffix("/imagicon-events"))
        #expect(try await sqs.createQueue("imagicon-events", attributes: ["VisibilityTimeout": "120"]) == queue)
        let attributes = try await sqs.queueAttributes(queue)
        #expect(attributes["VisibilityTimeout"] == "120")
        let arn = try #require(try await sqs.queueAttributes(queue, names: ["QueueArn"])["QueueArn"])
        #expect(arn.hasPrefix("arn:aws:sqs:") && arn.hasSuffix(":imagicon-events"))

        try await s3.createBucket("uploads")
        try await s3.putQueueNotification(bucket: "uploads", queueARN: arn, events: ["s3:ObjectCreated:*"], prefix: "albums/")
        try await s3.putObject(bucket: "uploads", key: "elsewhere/skipped.jpg", body: [1, 2, 3])
        try await s3.putObject(bucket: "uploads", key: "albums/a1/IMG 1.jpg", body: [1, 2, 3], contentType: "image/jpeg")

        // The upload's event arrives as an S3 event in the body (the key form-encoded, as S3 does; moto
        // also encodes its slashes); the key outside the prefix sends none.
        let message = try #require(try await Self.receive(sqs, queue, containing: "IMG+1.jpg", visibilityTimeout: 0))
        #expect(message.body.contains("\"eventSource\": \"aws:s3\"") || message.body.contains("\"eventSource\":\"aws:s3\""))
        #expect(!message.body.contains("skipped.jpg"))
        #expect(message.attributes["ApproximateReceiveCount"] == "1")
        #expect(message.md5OfBody?.count == 32)

        // Not deleted and visible again at once (visibility 0): delivered again, as a failed batch item is.
        let again = try #require(try await Self.receive(sqs, queue, containing: "IMG+1.jpg"))
        #expect(again.messageId == message.messageId)
        #expect(again.attributes["ApproximateReceiveCount"] == "2")
        try await sqs.deleteMessage(queue, receiptHandle: again.receiptHandle)
        #expect(try await sqs.receiveMessages(queue, waitSeconds: 0).isEmpty)

        try await s3.putObject(bucket: "uploads", key: "albums/a1/IMG_2.jpg", body: [4])
        try await sqs.purgeQueue(queue)
        #expect(try await sqs.receiveMessages(queue, waitSeconds: 0).isEmpty)
    }

    @Test("refusals: bad arguments, unknown queue, bad receipt handle, wrong secret")
    func refusals() async throws {
        let server = try MotoServer(auth: true)
        defer { server.stop() }
        let (sqs, _) = try Self.clients(server)
        let queue = try await sqs.createQueue("q")

        let tooMany = await #expect(throws: AWSError.self) { try await sqs.receiveMessages(queue, maxMessages: 11) }
        #expect(tooMany?.code == .invalidRequest)
        let tooLong = await #expect(throws: AWSError.self) { try await sqs.receiveMessages(queue, waitSeconds: 21) }
        #expect(tooLong?.code == .invalidRequest)

        let missing = await #expect(throws: AWSError.self) {
            try await sqs.queueAttributes(queue.replacingOccurrences(of: "/q", with: "/no-such-queue"))
        }
        #expect(missing?.httpStatus == 400)
        #expect(missing?.serviceCode?.contains("NonExistentQueue") == true || missing?.serviceCode?.contains("QueueDoesNotExist") == true)

        let badHandle = await #expect(throws: AWSError.self) { try await sqs.deleteMessage(queue, receiptHandle: "not-a-handle") }
        #expect(badHandle?.code == .clientError)

        let (forged, _) = try Self.clients(server, secret: "not-the-secret")
        let denied = await #expect(throws: AWSError.self) { try await forged.createQueue("other") }
        #expect(denied?.code == .accessDenied)
    }
}
