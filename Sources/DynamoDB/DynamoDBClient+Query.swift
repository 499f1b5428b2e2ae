import AWSCore

/// One page of Query results.
public struct DynamoDBQueryPage: Sendable, Equatable {
    /// The items of this page.
    public var items: [DynamoDBItem]
    /// Pass as `startKey` to read the next page; nil on the last page.
    public var lastEvaluatedKey: DynamoDBItem?
}

struct QueryInput: Encodable {
    var TableName: String
    var IndexName: String?
    var KeyConditionExpression: String
    var FilterExpression: String?
    var ProjectionExpression: String?
    var ExpressionAttributeNames: [String: String]?
    var ExpressionAttributeValues: [String: AttributeValue]?
    var ExclusiveStartKey: DynamoDBItem?
    var Limit: Int?
    var ScanIndexForward: Bool?
    var ConsistentRead: Bool?
}

struct QueryOutput: Decodable {
    var Items: [DynamoDBItem]?
    var LastEvaluatedKey: DynamoDBItem?
}

/// The parameters of a Query, reused page after page.
public struct DynamoDBQuery: Sendable, Equatable {
    /// The table.
    public var table: String
    /// E.g. `PK = :pk AND begins_with(SK, :prefix)`.
    public var keyCondition: String
    /// Placeholders of the expressions.
    public var attributes: DynamoDBExpressionAttributes
    /// Optional secondary index.
    public var index: String?
    /// Optional filter applied after the key condition (does not reduce read cost).
    public var filter: String?
    /// Optional projection.
    public var projection: String?
    /// Items evaluated per page at most.
    public var limit: Int?
    /// False to read the sort key in descending order.
    public var ascending: Bool
    /// Strongly consistent read.
    public var consistentRead: Bool

    /// A query from its parts.
    public init(
        table: String, keyCondition: String, attributes: DynamoDBExpressionAttributes, index: String? = nil,
        filter: String? = nil, projection: String? = nil, limit: Int? = nil, ascending: Bool = true,
        consistentRead: Bool = false
    ) {
        self.table = table
        self.keyCondition = keyCondition
        self.attributes = attributes
        self.index = index
        self.filter = filter
        self.projection = projection
        self.limit = limit
        self.ascending = ascending
        self.consistentRead = consistentRead
    }
}

extension DynamoDBClient {
    /// Reads one page of a query, starting after `startKey`.
    public func query(_ query: DynamoDBQuery, startKey: DynamoDBItem? = nil) async throws(AWSError) -> DynamoDBQueryPage {
        let input = QueryInput(
            TableName: query.table, IndexName: query.index, KeyConditionExpression: query.keyCondition,
            FilterExpression: query.filter, ProjectionExpression: query.projection,
            ExpressionAttributeNames: query.attributes.namesOrNil, ExpressionAttributeValues: query.attributes.valuesOrNil,
            ExclusiveStartKey: startKey, Limit: query.limit, ScanIndexForward: query.ascending ? nil : false,
            ConsistentRead: query.consistentRead ? true : nil)
        let output = try await call("Query", input, as: QueryOutput.self)
        let last = output.LastEvaluatedKey.flatMap { $0.isEmpty ? nil : $0 }
        return DynamoDBQueryPage(items: output.Items ?? [], lastEvaluatedKey: last)
    }

    /// Reads every page of a query; stops with `.invalidResponse` after `maxPages` pages
    /// (a guard against a server that never ends) or when a page repeats its start key.
    public func queryAll(_ query: DynamoDBQuery, maxPages: Int = 10_000) async throws(AWSError) -> [DynamoDBItem] {
        var items: [DynamoDBItem] = []
        var startKey: DynamoDBItem? = nil
        for _ in 0..<maxPages {
            let page = try await self.query(query, startKey: startKey)
            items += page.items
            guard let next = page.lastEvaluatedKey else { return items }
            guard next != startKey else { throw AWSError(.invalidResponse, "Query returned the same LastEvaluatedKey twice") }
            startKey = next
        }
        throw AWSError(.invalidResponse, "Query returned more than \(maxPages) pages")
    }
}
