import AWSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An Amazon DynamoDB client (JSON 1.0 protocol, `X-Amz-Target: DynamoDB_20120810.<Op>`)
/// over the package's SigV4 signer and libcurl transport.
public struct DynamoDBClient: AWSServiceAPI {
    /// Signs, sends and retries (throttling errors are retried with backoff).
    public var engine: AWSServiceClient
    /// Cap on response bodies: a Query page holds at most 1 MB of data, its JSON a bit more.
    public var maxResponseBytes: Int = 16 << 20

    /// A client on a prepared engine (its signer must use `SigV4Signer.Rules.standard`).
    public init(engine: AWSServiceClient) {
        self.engine = engine
    }

    public static let service = AWSService.dynamoDB
    public static let signingRules = SigV4Signer.Rules.standard

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
