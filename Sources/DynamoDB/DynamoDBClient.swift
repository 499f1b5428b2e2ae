import AWSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An Amazon DynamoDB client (JSON 1.0 protocol, `X-Amz-Target: DynamoDB_20120810.<Op>`)
/// over the package's SigV4 signer and libcurl transport.
public struct DynamoDBClient: Sendable {
    /// Signs, sends and retries (throttling errors are retried with backoff).
    public var engine: AWSServiceClient
    /// Cap on response bodies: a Query page holds at most 1 MB of data, its JSON a bit more.
    public var maxResponseBytes: Int = 16 << 20

    /// A client on a prepared engine (its signer must use `SigV4Signer.Rules.standard`).
    public init(engine: AWSServiceClient) {
        self.engine = engine
    }

    /// A client from explicit parts.
    public init(
        credentials: AWSCredentials, region: String, endpoint: AWSEndpoint,
        transport: any HTTPTransport = CurlTransport.shared, retry: RetryPolicy = .default,
        limits: TransportLimits = .default
    ) {
        engine = AWSServiceClient(
            service: .dynamoDB, rules: .standard, credentials: credentials, region: region, endpoint: endpoint,
            transport: transport, retry: retry, limits: limits)
    }

    /// A client configured from the environment: credentials, `AWS_REGION`/`AWS_DEFAULT_REGION`
    /// and `AWS_ENDPOINT_URL_DYNAMODB`/`AWS_ENDPOINT_URL`.
    public static func fromEnvironment(
        _ environment: [String: String] = AWSEnvironment.process, transport: any HTTPTransport = CurlTransport.shared
    ) throws(AWSError) -> DynamoDBClient {
        DynamoDBClient(engine: try .fromEnvironment(service: .dynamoDB, rules: .standard, environment: environment, transport: transport))
    }

    /// The HTTP request of one operation.
    func request(operation: String, body: [UInt8]) -> HTTPRequest {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/x-amz-json-1.0")
        headers.add("X-Amz-Target", "DynamoDB_20120810.\(operation)")
        let path = engine.endpoint.basePath.isEmpty ? "/" : engine.endpoint.basePath + "/"
        return HTTPRequest(method: "POST", endpoint: engine.endpoint, path: path, headers: headers, body: body)
    }

    /// Calls one operation: encodes the input, sends it, decodes the output.
    func call<Input: Encodable, Output: Decodable>(
        _ operation: String, _ input: Input, as output: Output.Type = Output.self
    ) async throws(AWSError) -> Output {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(input))
        } catch {
            throw AWSError(.invalidRequest, "\(operation): cannot encode the request: \(error)")
        }
        let response = try await engine.send(
            request(operation: operation, body: body), payload: .hashing(body), operation: operation,
            maxResponseBytes: maxResponseBytes)
        do {
            return try JSONDecoder().decode(Output.self, from: Data(response.body))
        } catch {
            throw AWSError(
                .invalidResponse, "\(operation): unreadable response: \(error)", httpStatus: response.status,
                requestID: response.headers["x-amzn-requestid"])
        }
    }
}
