import ImageKit
import S3

extension HandlerFactory {
    /// The convert handler: an S3 client for the source bucket and a lazily loaded face detector
    /// for `fit=smart` (smart crops fall back to centred when the model file is absent).
    static func makeConvertHandler(_ configuration: Configuration, environment: [String: String],
                                   fileExists: (String) -> Bool = FileSystem.isReadableFile) throws -> ConvertHandler {
        let s3: S3Client
        do {
            s3 = try S3Client.fromEnvironment(environment)
        } catch {
            throw ConfigurationError(.invalidValue, "AWS configuration: \(error.message)")
        }
        let detectorPath = "\(configuration.modelsDirectory)/\(Configuration.modelFiles[0])"
        let faces = fileExists(detectorPath) ? LazyFaceDetector(modelPath: detectorPath) : nil
        return ConvertHandler(bucket: configuration.sourceBucket!, s3: s3,
                              converter: ImageConverter(maxPixels: configuration.maxPixels, faces: faces))
    }
}
