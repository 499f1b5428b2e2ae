import DynamoDB
import S3

extension HandlerFactory {
    /// The albums API: the table, the buckets, the admin token's hash, the face models (find me)
    /// and a convert handler over the source bucket.
    static func makeApiHandler(_ configuration: Configuration, environment: [String: String]) throws -> ApiHandler {
        let s3 = try awsClient(try S3Client.fromEnvironment(environment))
        let dynamo = try awsClient(try DynamoDBClient.fromEnvironment(environment))
        let table = configuration.table!
        let encoder = SelfieEncoder(models: try FaceModels(directory: configuration.modelsDirectory), maxPixels: configuration.maxPixels)
        return ApiHandler(
            service: ApiService(
                store: AlbumStore(dynamo: dynamo, table: table), reader: TableReader(dynamo: dynamo, table: table), s3: s3,
                adminTokenSHA256: configuration.adminTokenSHA256!,
                settings: .init(
                    sourceBucket: configuration.sourceBucket!, thumbnailBucket: configuration.thumbnailBucket,
                    faceThreshold: configuration.faceThreshold),
                describeSelfie: { try encoder.descriptor(of: $0) },
                converter: try makeConvertHandler(configuration, environment: environment)))
    }
}
