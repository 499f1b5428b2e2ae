import DynamoDB
import FaceKit
import ImageKit
import S3

extension HandlerFactory {
    /// The convert handler: an S3 client for the source bucket, the recorded faces when
    /// `IMAGICON_TABLE` is set, and a lazily loaded face detector for `fit=smart` (smart crops fall
    /// back to centred when there is neither a record nor the model file).
    static func makeConvertHandler(
        _ configuration: Configuration, environment: [String: String],
        fileExists: (String) -> Bool = FileSystem.isReadableFile
    ) throws -> ConvertHandler {
        let s3 = try awsClient(try S3Client.fromEnvironment(environment))
        var storedFaces: StoredFaces?
        if let table = configuration.table {
            storedFaces = StoredFaces(
                reader: TableReader(dynamo: try awsClient(try DynamoDBClient.fromEnvironment(environment)), table: table))
        }
        let detectorPath = "\(configuration.modelsDirectory)/\(FaceAnalyzer.detectorFile)"
        let faces = fileExists(detectorPath) ? LazyFaceDetector(modelPath: detectorPath) : nil
        return ConvertHandler(
            bucket: configuration.sourceBucket!, s3: s3,
            converter: ImageConverter(maxPixels: configuration.maxPixels, faces: faces), storedFaces: storedFaces)
    }
}
