import AWSCore
import LambdaRuntime

/// Runs a handler with its invocation's deadline bound as the ``AWSDeadline`` of every S3,
/// DynamoDB and SQS call it makes, less ``reserveMillis``: the calls' timeouts and retries come from
/// the time left, so none outlives the invocation and there is time to answer the Runtime API.
/// ``HandlerFactory`` wraps every function handler in one.
public struct DeadlineBoundHandler: LambdaHandler {
    /// Time kept after the AWS calls' deadline to record a failure and answer the Runtime API.
    public static let reserveMillis: Int64 = 1000

    let handler: any LambdaHandler

    /// Wraps `handler`.
    public init(_ handler: any LambdaHandler) {
        self.handler = handler
    }

    /// The deadline the AWS calls of an invocation get: the invocation's, less ``reserveMillis``.
    public static func awsDeadline(of context: LambdaContext) -> AWSDeadline {
        AWSDeadline(epochMillis: context.deadlineMillis - reserveMillis)
    }

    public func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        try await AWSDeadline.$current.withValue(Self.awsDeadline(of: context)) {
            try await handler.handle(event, context: context)
        }
    }
}
