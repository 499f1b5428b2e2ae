import AWSCore

extension SQSClient {
    /// Creates a queue (or returns the existing one of that name with the same attributes); returns its URL.
    public func createQueue(_ name: String, attributes: [String: String] = [:]) async throws(AWSError) -> String {
        struct Input: Encodable {
            var QueueName: String
            var Attributes: [String: String]?
        }
        struct Output: Decodable { var QueueUrl: String }
        return try await call("CreateQueue", Input(QueueName: name, Attributes: attributes.isEmpty ? nil : attributes), as: Output.self)
            .QueueUrl
    }

    /// Reads queue attributes (`QueueArn`, `ApproximateNumberOfMessages`, ...; `All` for every one).
    public func queueAttributes(_ queueURL: String, names: [String] = ["All"]) async throws(AWSError) -> [String: String] {
        struct Input: Encodable {
            var QueueUrl: String
            var AttributeNames: [String]
        }
        struct Output: Decodable { var Attributes: [String: String]? }
        return try await call("GetQueueAttributes", Input(QueueUrl: queueURL, AttributeNames: names), as: Output.self).Attributes ?? [:]
    }
}

extension SQSClient {
    /// Deletes every message of a queue.
    public func purgeQueue(_ queueURL: String) async throws(AWSError) {
        struct Input: Encodable { var QueueUrl: String }
        _ = try await call("PurgeQueue", Input(QueueUrl: queueURL), as: SQSEmpty.self)
    }
}
