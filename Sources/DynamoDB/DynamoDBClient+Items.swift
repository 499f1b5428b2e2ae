import AWSCore

/// Which attributes UpdateItem/DeleteItem/PutItem return.
public enum DynamoDBReturnValues: String, Sendable, Codable {
    /// Nothing.
    case none = "NONE"
    /// The whole item before the change.
    case allOld = "ALL_OLD"
    /// The updated attributes before the change.
    case updatedOld = "UPDATED_OLD"
    /// The whole item after the change.
    case allNew = "ALL_NEW"
    /// The updated attributes after the change.
    case updatedNew = "UPDATED_NEW"
}

/// Placeholders of an expression: `#name` -> attribute name, `:value` -> value.
public struct DynamoDBExpressionAttributes: Sendable, Equatable {
    /// `ExpressionAttributeNames`.
    public var names: [String: String]
    /// `ExpressionAttributeValues`.
    public var values: [String: AttributeValue]

    /// Placeholders from dictionaries (either may be empty).
    public init(names: [String: String] = [:], values: [String: AttributeValue] = [:]) {
        self.names = names
        self.values = values
    }

    var namesOrNil: [String: String]? { names.isEmpty ? nil : names }
    var valuesOrNil: [String: AttributeValue]? { values.isEmpty ? nil : values }
}

struct PutItemInput: Encodable {
    var TableName: String
    var Item: DynamoDBItem
    var ConditionExpression: String?
    var ExpressionAttributeNames: [String: String]?
    var ExpressionAttributeValues: [String: AttributeValue]?
    var ReturnValues: DynamoDBReturnValues?
}

struct GetItemInput: Encodable {
    var TableName: String
    var Key: DynamoDBItem
    var ConsistentRead: Bool?
    var ProjectionExpression: String?
    var ExpressionAttributeNames: [String: String]?
}

struct UpdateItemInput: Encodable {
    var TableName: String
    var Key: DynamoDBItem
    var UpdateExpression: String
    var ConditionExpression: String?
    var ExpressionAttributeNames: [String: String]?
    var ExpressionAttributeValues: [String: AttributeValue]?
    var ReturnValues: DynamoDBReturnValues?
}

struct DeleteItemInput: Encodable {
    var TableName: String
    var Key: DynamoDBItem
    var ConditionExpression: String?
    var ExpressionAttributeNames: [String: String]?
    var ExpressionAttributeValues: [String: AttributeValue]?
    var ReturnValues: DynamoDBReturnValues?
}

struct ItemOutput: Decodable {
    var Item: DynamoDBItem?
}

struct AttributesOutput: Decodable {
    var Attributes: DynamoDBItem?
}

extension DynamoDBClient {
    /// Writes an item. With `condition`, a failed condition throws an `AWSError` whose code
    /// is `.conditionalCheckFailed`. Returns the old item when `returnValues` is `.allOld`.
    @discardableResult
    public func putItem(
        table: String, item: DynamoDBItem, condition: String? = nil,
        attributes: DynamoDBExpressionAttributes = .init(), returnValues: DynamoDBReturnValues? = nil
    ) async throws(AWSError) -> DynamoDBItem? {
        let input = PutItemInput(
            TableName: table, Item: item, ConditionExpression: condition,
            ExpressionAttributeNames: attributes.namesOrNil, ExpressionAttributeValues: attributes.valuesOrNil,
            ReturnValues: returnValues)
        return try await call("PutItem", input, as: AttributesOutput.self).Attributes
    }

    /// Reads an item by its full key; nil when there is none.
    public func getItem(
        table: String, key: DynamoDBItem, consistentRead: Bool = false, projection: String? = nil,
        names: [String: String] = [:]
    ) async throws(AWSError) -> DynamoDBItem? {
        let input = GetItemInput(
            TableName: table, Key: key, ConsistentRead: consistentRead ? true : nil, ProjectionExpression: projection,
            ExpressionAttributeNames: names.isEmpty ? nil : names)
        return try await call("GetItem", input, as: ItemOutput.self).Item
    }

    /// Applies an update expression (creating the item if absent, as DynamoDB does);
    /// returns the attributes `returnValues` asks for.
    @discardableResult
    public func updateItem(
        table: String, key: DynamoDBItem, update: String, condition: String? = nil,
        attributes: DynamoDBExpressionAttributes = .init(), returnValues: DynamoDBReturnValues? = nil
    ) async throws(AWSError) -> DynamoDBItem? {
        let input = UpdateItemInput(
            TableName: table, Key: key, UpdateExpression: update, ConditionExpression: condition,
            ExpressionAttributeNames: attributes.namesOrNil, ExpressionAttributeValues: attributes.valuesOrNil,
            ReturnValues: returnValues)
        return try await call("UpdateItem", input, as: AttributesOutput.self).Attributes
    }

    /// Deletes an item (no error when absent unless a condition says so); returns the old
    /// item when `returnValues` is `.allOld`.
    @discardableResult
    public func deleteItem(
        table: String, key: DynamoDBItem, condition: String? = nil,
        attributes: DynamoDBExpressionAttributes = .init(), returnValues: DynamoDBReturnValues? = nil
    ) async throws(AWSError) -> DynamoDBItem? {
        let input = DeleteItemInput(
            TableName: table, Key: key, ConditionExpression: condition,
            ExpressionAttributeNames: attributes.namesOrNil, ExpressionAttributeValues: attributes.valuesOrNil,
            ReturnValues: returnValues)
        return try await call("DeleteItem", input, as: AttributesOutput.self).Attributes
    }
}
