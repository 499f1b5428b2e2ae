import DynamoDB
import LambdaRuntime
import S3

/// Picks and builds the handler named by `_HANDLER`, validating the configuration it needs.
public enum HandlerFactory {
    /// Builds the handler for this process, its AWS calls bounded by each invocation's deadline
    /// (``DeadlineBoundHandler``); throws ``ConfigurationError`` (an init error) when the
    /// configuration, the AWS settings or the models are bad.
    public static func make(environment: [String: String]) throws -> any LambdaHandler {
        DeadlineBoundHandler(try makeUnbounded(environment: environment))
    }

    /// The handler named by `_HANDLER`, without the deadline bound.
    static func makeUnbounded(environment: [String: String]) throws -> any LambdaHandler {
        if environment["_HANDLER"] == "diagnostics" {
            guard environment["IMAGICON_DIAGNOSTICS"] == "1" else {
                throw ConfigurationError(.unknownHandler, "_HANDLER 'diagnostics' is only available with IMAGICON_DIAGNOSTICS=1")
            }
            return DiagnosticsHandler()
        }
        let configuration = try Configuration(environment: environment)
        try configuration.validateForHandler()
        switch configuration.handler {
        case .process:
            return ProcessHandler(processor: try makeProcessor(configuration, environment: environment))
        case .search:
            return try makeSearchHandler(configuration, environment: environment)
        case .convert:
            return try makeConvertHandler(configuration, environment: environment)
        case .api:
            return try makeApiHandler(configuration, environment: environment)
        case .people:
            return try makePeopleHandler(configuration, environment: environment)
        }
    }

    /// The process pipeline with its AWS clients and models, built once at init.
    static func makeProcessor(_ configuration: Configuration, environment: [String: String]) throws -> ObjectProcessor {
        let s3 = try awsClient(try S3Client.fromEnvironment(environment))
        let dynamo = try awsClient(try DynamoDBClient.fromEnvironment(environment))
        let models = try FaceModels(directory: configuration.modelsDirectory, search: configuration.faceSearch)
        let analyzer = ImageAnalyzer(sizes: configuration.thumbnailSizes, maxPixels: configuration.maxPixels, models: models)
        return ObjectProcessor(configuration: configuration, table: configuration.table!, s3: s3, dynamo: dynamo, analyzer: analyzer)
    }

    /// The search handler with its AWS clients and models, built once at init.
    static func makeSearchHandler(_ configuration: Configuration, environment: [String: String]) throws -> SearchHandler {
        SearchHandler(
            service: try SearchService.make(configuration, environment: environment),
            defaultThreshold: configuration.faceThreshold)
    }
}
