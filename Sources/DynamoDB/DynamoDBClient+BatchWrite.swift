import AWSCore

/// One write of a BatchWriteItem.
public enum DynamoDBWriteRequest: Sendable, Hashable, Codable {
    /// Put (replace) an item.
    case put(DynamoDBItem)
    /// Delete the item with this key.
    case delete(key: DynamoDBItem)

    private enum CodingKeys: String, CodingKey { case PutRequest, DeleteRequest }
    private struct Put: Codable { var Item: DynamoDBItem }
    private struct Delete: Codable { var Key: DynamoDBItem }

    /// `{"PutRequest": {"Item": ...}}` or `{"DeleteRequest": {"Key": ...}}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .put(let item): try container.encode(Put(Item: item), forKey: .PutRequest)
        case .delete(let key): try container.encode(Delete(Key: key), forKey: .DeleteRequest)
        }
    }

    /// Reads either wire form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let put = try container.decodeIfPresent(Put.self, forKey: .PutRequest) {
            self = .put(put.Item)
        } else {
            self = .delete(key: try container.decode(Delete.self, forKey: .DeleteRequest).Key)
        }
    }
}

struct BatchWriteInput: Encodable {
    var RequestItems: [String: [DynamoDBWriteRequest]]
}

struct BatchWriteOutput: Decodable {
    var UnprocessedItems: [String: [DynamoDBWriteRequest]]?
}

extension DynamoDBClient {
    /// DynamoDB's limit of writes per BatchWriteItem call.
    public static let batchWriteLimit = 25

    /// Writes any number of puts/deletes to one table, 25 per call. Items DynamoDB leaves
    /// unprocessed (throttling) are resent after a backoff, up to `maxRounds` sends per chunk;
    /// then `.throttled` is thrown, saying how many writes remain.
    public func batchWrite(table: String, requests: [DynamoDBWriteRequest], maxRounds: Int = 8) async throws(AWSError) {
        var start = 0
        while start < requests.count {
            var pending = Array(requests[start..<min(start + Self.batchWriteLimit, requests.count)])
            start += pending.count
            var round = 0
            while !pending.isEmpty {
                round += 1
                let output = try await call(
                    "BatchWriteItem", BatchWriteInput(RequestItems: [table: pending]), as: BatchWriteOutput.self)
                pending = output.UnprocessedItems?[table] ?? []
                guard !pending.isEmpty else { break }
                guard round < maxRounds else {
                    throw AWSError(.throttled, "BatchWriteItem left \(pending.count) writes unprocessed after \(round) rounds")
                }
                try await engine.backoff(beforeRetry: round)
            }
        }
    }
}
