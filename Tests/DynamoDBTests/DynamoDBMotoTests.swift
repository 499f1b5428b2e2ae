import Foundation
import TestSupport
import Testing

@testable import AWSCore
@testable import DynamoDB

/// Integration tests against a real moto_server started by the test with signature checks
/// on (scripts/moto-server), stopped at the end of each test, also when it fails.
@Suite(
    "DynamoDB against a real moto_server", .serialized,
    .enabled(if: MotoServer.available, "needs moto's server: pip install 'moto[server]'"))
struct DynamoDBMotoTests {
    static func client(_ server: MotoServer, secret: String? = nil) throws -> DynamoDBClient {
        DynamoDBClient(
            credentials: AWSCredentials(accessKeyID: server.accessKeyID, secretAccessKey: secret ?? server.secretAccessKey),
            region: server.region, endpoint: try AWSEndpoint(url: server.endpoint), retry: .none)
    }

    @Test("tables, items, conditions, query pagination, batch writes")
    func operations() async throws {
        let server = try MotoServer(auth: true)
        defer { server.stop() }
        let db = try Self.client(server)
        let table = "imagicon-test"

        let forged = try Self.client(server, secret: "not-the-secret")
        let rejected = await #expect(throws: AWSError.self) { try await forged.describeTable(table) }
        #expect(rejected?.code == .accessDenied)
        #expect(rejected?.httpStatus == 403)

        let created = try await db.createTable(table, partitionKey: ("PK", .string), sortKey: ("SK", .string))
        #expect(created?.name == table)
        try await db.waitUntilActive(table)
        let description = try await db.describeTable(table)
        #expect(description.status == "ACTIVE")
        #expect(description.keyNames == ["PK", "SK"])
        let missingTable = await #expect(throws: AWSError.self) { try await db.describeTable("no-such-table") }
        #expect(missingTable?.code == .notFound)

        // Put with a condition, then the conditional failure as its own error.
        let key: DynamoDBItem = ["PK": "ALBUM#weddings/2026", "SK": "IMAGE#weddings/2026/IMG_1.jpg"]
        var item = key
        item["size"] = .n("123456789012345678901234567890.5")
        item["descriptor"] = .b([0, 1, 2, 250, 255])
        item["exif"] = .m(["make": "Canon", "iso": 400, "flash": .null])
        item["thumbnails"] = .l([.m(["key": "thumbnails/200x200/IMG_1.jpg", "width": 200])])
        item["tags"] = .ss(["a", "b"])
        try await db.putItem(table: table, item: item, condition: "attribute_not_exists(PK)")
        let conflict = await #expect(throws: AWSError.self) {
            try await db.putItem(table: table, item: item, condition: "attribute_not_exists(PK)")
        }
        #expect(conflict?.code == .conditionalCheckFailed)
        #expect(conflict?.serviceCode == "ConditionalCheckFailedException")

        let read = try await db.getItem(table: table, key: key, consistentRead: true)
        #expect(read == item)
        #expect(try await db.getItem(table: table, key: ["PK": "ALBUM#x", "SK": "IMAGE#none"]) == nil)

        // Update with names and values; a failing condition.
        let updated = try await db.updateItem(
            table: table, key: key, update: "SET #s = :status, faceCount = :n",
            condition: "attribute_exists(PK)",
            attributes: .init(names: ["#s": "status"], values: [":status": "processed", ":n": 3]),
            returnValues: .allNew)
        #expect(updated?["status"] == "processed")
        #expect(updated?["faceCount"] == .n("3"))
        let failedUpdate = await #expect(throws: AWSError.self) {
            try await db.updateItem(
                table: table, key: key, update: "SET faceCount = :n", condition: "faceCount = :old",
                attributes: .init(values: [":n": 4, ":old": 99]))
        }
        #expect(failedUpdate?.code == .conditionalCheckFailed)

        // Delete, returning the old item.
        let old = try await db.deleteItem(table: table, key: key, returnValues: .allOld)
        #expect(old?["status"] == "processed")
        #expect(try await db.getItem(table: table, key: key) == nil)

        // Batch write of more than 25 items, then query pagination with begins_with.
        var writes: [DynamoDBWriteRequest] = (0..<40).map { index in
            .put(["PK": "ALBUM#a", "SK": .s("FACE#k#\(String(format: "%03d", index))"), "index": .number(index)])
        }
        writes += (0..<7).map { .put(["PK": "ALBUM#a", "SK": .s("IMAGE#\($0)")]) }
        try await db.batchWrite(table: table, requests: writes)
        let query = DynamoDBQuery(
            table: table, keyCondition: "PK = :pk AND begins_with(SK, :prefix)",
            attributes: .init(values: [":pk": "ALBUM#a", ":prefix": "FACE#"]), limit: 15)
        let first = try await db.query(query)
        #expect(first.items.count == 15)
        #expect(first.lastEvaluatedKey != nil)
        let faces = try await db.queryAll(query)
        #expect(faces.count == 40)
        #expect(faces.map { $0["index"]?.intValue } == (0..<40).map { $0 })
        let images = try await db.queryAll(
            DynamoDBQuery(
                table: table, keyCondition: "PK = :pk AND begins_with(SK, :prefix)",
                attributes: .init(values: [":pk": "ALBUM#a", ":prefix": "IMAGE#"]), limit: 3, ascending: false))
        #expect(images.map { $0["SK"]?.stringValue } == (0..<7).reversed().map { "IMAGE#\($0)" })

        // Batch deletes.
        try await db.batchWrite(table: table, requests: faces.map { .delete(key: ["PK": $0["PK"]!, "SK": $0["SK"]!]) })
        #expect(try await db.queryAll(query).isEmpty)
    }
}
