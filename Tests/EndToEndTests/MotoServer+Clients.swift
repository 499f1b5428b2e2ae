import AWSCore
import DynamoDB
import S3
import TestSupport

extension MotoServer {
    /// The IAM access key the script created (signature checks are on).
    var credentials: AWSCredentials { AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey) }

    /// The AWS variables a function needs to reach this server with that key (`KEY=value`; no session token).
    var functionEnvironment: [String] {
        [
            "AWS_ENDPOINT_URL=\(endpoint)", "AWS_ACCESS_KEY_ID=\(accessKeyID)", "AWS_SECRET_ACCESS_KEY=\(secretAccessKey)",
            "AWS_REGION=\(region)", "AWS_SESSION_TOKEN=",
        ]
    }

    /// An S3 client signed with that key, path-style on the moto endpoint.
    func s3Client() throws -> S3Client {
        S3Client(credentials: credentials, region: region, endpoint: try AWSEndpoint(url: endpoint))
    }

    /// A DynamoDB client signed with that key.
    func dynamoDBClient() throws -> DynamoDBClient {
        DynamoDBClient(credentials: credentials, region: region, endpoint: try AWSEndpoint(url: endpoint))
    }
}

extension DynamoDBClient {
    /// Creates a table as template.yaml does: keys `PK`, `SK` (both strings) and the sparse index of
    /// faces not yet in their album's packed index (`StorageLayout.tableIndexes`; this target does not
    /// link Imagicon).
    func createImagiconTable(_ table: String) async throws {
        let unindexed = DynamoDBGlobalIndex(
            name: "UnindexedFaces", partitionKey: ("unindexedAlbum", .string), sortKey: ("SK", .string),
            included: ["key", "index", "box", "descriptor", "version"])
        _ = try await createTable(table, partitionKey: ("PK", .string), sortKey: ("SK", .string), indexes: [unindexed])
    }
}
