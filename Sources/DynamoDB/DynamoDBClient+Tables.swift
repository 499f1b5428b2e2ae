import AWSCore

/// Key attribute types.
public enum DynamoDBKeyType: String, Sendable, Codable {
    /// String.
    case string = "S"
    /// Number.
    case number = "N"
    /// Binary.
    case binary = "B"
}

/// What DescribeTable reports that setup code needs.
public struct DynamoDBTableDescription: Sendable, Equatable, Decodable {
    /// `CREATING`, `ACTIVE`, `DELETING`, `UPDATING`...
    public var status: String
    /// The table name.
    public var name: String
    /// Partition key name, then the sort key name if any.
    public var keyNames: [String]

    private enum CodingKeys: String, CodingKey { case TableStatus, TableName, KeySchema }
    private struct KeyElement: Decodable {
        var AttributeName: String
        var KeyType: String
    }

    /// Reads a `TableDescription` object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decodeIfPresent(String.self, forKey: .TableStatus) ?? "UNKNOWN"
        name = try container.decodeIfPresent(String.self, forKey: .TableName) ?? ""
        let schema = try container.decodeIfPresent([KeyElement].self, forKey: .KeySchema) ?? []
        keyNames = schema.sorted { $0.KeyType == "HASH" && $1.KeyType != "HASH" }.map(\.AttributeName)
    }
}

/// A global secondary index of a table made with ``DynamoDBClient/createTable(_:partitionKey:sortKey:indexes:)``.
public struct DynamoDBGlobalIndex: Sendable {
    /// The index name.
    public var name: String
    /// Its partition key (items without it are not in the index: a sparse index).
    public var partitionKey: (name: String, type: DynamoDBKeyType)
    /// Its sort key, if any.
    public var sortKey: (name: String, type: DynamoDBKeyType)?
    /// Non-key attributes copied into the index (`INCLUDE`); nil for all of them.
    public var included: [String]?

    /// An index from its parts.
    public init(
        name: String, partitionKey: (name: String, type: DynamoDBKeyType), sortKey: (name: String, type: DynamoDBKeyType)? = nil,
        included: [String]? = nil
    ) {
        self.name = name
        self.partitionKey = partitionKey
        self.sortKey = sortKey
        self.included = included
    }
}

struct CreateTableInput: Encodable {
    struct Definition: Encodable {
        var AttributeName: String
        var AttributeType: DynamoDBKeyType
    }
    struct KeyElement: Encodable {
        var AttributeName: String
        var KeyType: String
    }
    struct Projection: Encodable {
        var ProjectionType: String
        var NonKeyAttributes: [String]?
    }
    struct GlobalIndex: Encodable {
        var IndexName: String
        var KeySchema: [KeyElement]
        var Projection: Projection
    }
    var TableName: String
    var AttributeDefinitions: [Definition]
    var KeySchema: [KeyElement]
    var GlobalSecondaryIndexes: [GlobalIndex]?
    var BillingMode = "PAY_PER_REQUEST"

    /// Defines `attribute` once.
    mutating func define(_ attribute: (name: String, type: DynamoDBKeyType)) {
        guard !AttributeDefinitions.contains(where: { $0.AttributeName == attribute.name }) else { return }
        AttributeDefinitions.append(.init(AttributeName: attribute.name, AttributeType: attribute.type))
    }
}

struct TableOutput: Decodable {
    var TableDescription: DynamoDBTableDescription?
    var Table: DynamoDBTableDescription?
}

struct TableNameInput: Encodable {
    var TableName: String
}

extension DynamoDBClient {
    /// Creates an on-demand table with its global secondary `indexes` (for local setup and tests).
    /// An existing table is an error with service code `ResourceInUseException`.
    @discardableResult
    public func createTable(
        _ table: String, partitionKey: (name: String, type: DynamoDBKeyType),
        sortKey: (name: String, type: DynamoDBKeyType)? = nil, indexes: [DynamoDBGlobalIndex] = []
    ) async throws(AWSError) -> DynamoDBTableDescription? {
        var input = CreateTableInput(
            TableName: table,
            AttributeDefinitions: [.init(AttributeName: partitionKey.name, AttributeType: partitionKey.type)],
            KeySchema: [.init(AttributeName: partitionKey.name, KeyType: "HASH")])
        if let sortKey {
            input.define(sortKey)
            input.KeySchema.append(.init(AttributeName: sortKey.name, KeyType: "RANGE"))
        }
        for index in indexes {
            input.define(index.partitionKey)
            var schema: [CreateTableInput.KeyElement] = [.init(AttributeName: index.partitionKey.name, KeyType: "HASH")]
            if let sortKey = index.sortKey {
                input.define(sortKey)
                schema.append(.init(AttributeName: sortKey.name, KeyType: "RANGE"))
            }
            let projection = CreateTableInput.Projection(
                ProjectionType: index.included == nil ? "ALL" : "INCLUDE", NonKeyAttributes: index.included)
            input.GlobalSecondaryIndexes =
                (input.GlobalSecondaryIndexes ?? []) + [
                    .init(IndexName: index.name, KeySchema: schema, Projection: projection)
                ]
        }
        return try await call("CreateTable", input, as: TableOutput.self).TableDescription
    }

    /// Describes a table; `.notFound` when it does not exist.
    public func describeTable(_ table: String) async throws(AWSError) -> DynamoDBTableDescription {
        guard let description = try await call("DescribeTable", TableNameInput(TableName: table), as: TableOutput.self).Table else {
            throw AWSError(.invalidResponse, "DescribeTable answered without a Table")
        }
        return description
    }

    /// Polls DescribeTable until the table is `ACTIVE`, waiting with the client's backoff;
    /// throws `.timeout` after `maxPolls` polls.
    public func waitUntilActive(_ table: String, maxPolls: Int = 60) async throws(AWSError) {
        for poll in 1...max(1, maxPolls) {
            if try await describeTable(table).status == "ACTIVE" { return }
            try await engine.backoff(beforeRetry: min(poll, 6))
        }
        throw AWSError(.timeout, "table \(table) did not become ACTIVE")
    }
}
