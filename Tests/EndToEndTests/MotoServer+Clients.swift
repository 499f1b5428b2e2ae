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
    /// Creates a table with the storage contract's keys (`PK`, `SK`, both strings).
    func createImagiconTable(_ table: String) async throws {
        _ = try await createTable(table, partitionKey: ("PK", .string), sortKey: ("SK", .string))
    }
}
