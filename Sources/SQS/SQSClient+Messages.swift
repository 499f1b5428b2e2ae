import AWSCore

/// One received message, as ReceiveMessage returns it.
public struct SQSMessage: Sendable, Equatable, Decodable {
    /// The message id (what Lambda's `batchItemFailures` name).
    public var messageId: String
    /// The handle that deletes this receipt of the message.
    public var receiptHandle: String
    /// The body, as sent.
    public var body: String
    /// MD5 of the body, hex.
    public var md5OfBody: String?
    /// System attributes (`SentTimestamp`, `ApproximateReceiveCount`, ...).
    public var attributes: [String: String]

    enum CodingKeys: String, CodingKey {
        case messageId = "MessageId"
        case receiptHandle = "ReceiptHandle"
        case body = "Body"
        case md5OfBody = "MD5OfBody"
        case attributes = "Attributes"
    }

    /// A message from its parts.
    public init(messageId: String, receiptHandle: String, body: String, md5OfBody: String? = nil, attributes: [String: String] = [:]) {
        self.messageId = messageId
        self.receiptHandle = receiptHandle
        self.body = body
        self.md5OfBody = md5OfBody
        self.attributes = attributes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messageId = try container.decode(String.self, forKey: .messageId)
        receiptHandle = try container.decode(String.self, forKey: .receiptHandle)
        body = try container.decodeIfPresent(String.self, forKey: .body) ?? ""
        md5OfBody = try container.decodeIfPresent(String.self, forKey: .md5OfBody)
        attributes = try container.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
    }
}

extension SQSClient {
    /// Receives up to `maxMessages` (1...10) messages, long-polling up to `waitSeconds` (0...20);
    /// each stays invisible to other receivers for `visibilityTimeout` seconds unless deleted.
    public func receiveMessages(
        _ queueURL: String, maxMessages: Int = 10, waitSeconds: Int = 10, visibilityTimeout: Int? = nil
    ) async throws(AWSError) -> [SQSMessage] {
        guard (1...10).contains(maxMessages), (0...20).contains(waitSeconds) else {
            throw AWSError(.invalidRequest, "ReceiveMessage: maxMessages must be 1...10 and waitSeconds 0...20")
        }
        struct Input: Encodable {
            var QueueUrl: String
            var MaxNumberOfMessages: Int
            var WaitTimeSeconds: Int
            var VisibilityTimeout: Int?
            var MessageSystemAttributeNames: [String]
        }
        struct Output: Decodable { var Messages: [SQSMessage]? }
        // A long poll is silent until a message arrives: the stall timeout must outlast it.
        var limits = engine.limits
        limits.stallTimeoutSeconds = max(limits.stallTimeoutSeconds, waitSeconds + 10)
        limits.totalTimeoutMilliseconds = max(limits.totalTimeoutMilliseconds, (waitSeconds + 20) * 1000)
        let input = Input(
            QueueUrl: queueURL, MaxNumberOfMessages: maxMessages, WaitTimeSeconds: waitSeconds, VisibilityTimeout: visibilityTimeout,
            MessageSystemAttributeNames: ["All"])
        return try await call("ReceiveMessage", input, as: Output.self, limits: limits).Messages ?? []
    }

    /// Deletes one received message by its receipt handle.
    public func deleteMessage(_ queueURL: String, receiptHandle: String) async throws(AWSError) {
        struct Input: Encodable {
            var QueueUrl: String
            var ReceiptHandle: String
        }
        _ = try await call("DeleteMessage", Input(QueueUrl: queueURL, ReceiptHandle: receiptHandle), as: SQSEmpty.self)
    }
}
