import DynamoDB
import S3

extension HandlerFactory {
    /// The people job: the table, and the thumbnail bucket for the album states.
    static func makePeopleHandler(_ configuration: Configuration, environment: [String: String]) throws -> PeopleHandler {
        let s3 = try awsClient(try S3Client.fromEnvironment(environment))
        let dynamo = try awsClient(try DynamoDBClient.fromEnvironment(environment))
        let table = configuration.table!
        return PeopleHandler(
            job: PeopleJob(
                reader: TableReader(dynamo: dynamo, table: table),
                store: PeopleStore(dynamo: dynamo, table: table, s3: s3, bucket: configuration.peopleBucket!)))
    }
}
