import AWSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An Amazon SQS client (JSON 1.0 protocol, `X-Amz-Target: AmazonSQS.<Op>`) over the package's
/// SigV4 signer and libcurl transport: the few calls a local event source needs.
public struct SQSClient: AWSServiceAPI {
    /// Signs, sends and retries (throttling and 5xx are retried with backoff).
    public var engine: AWSServiceClient
    /// Cap on response bodies: ten messages of at most 256 KiB each, plus their JSON.
    public var maxResponseBytes: Int = 8 << 20

    /// A client on a prepared engine (its signer must use `SigV4Signer.Rules.standard`).
    public init(engine: AWSServiceClient) {
        self.engine = engine
    }

    public static let service = AWSService.sqs
    public static let signingRules = SigV4Signer.Rules.standard

    /// Calls one operation: encodes the input, sends it, decodes the output (`{}` when empty).
    func call<Input: Encodable, Output: Decodable>(
        _ operation: String, _ input: Input, as output: Output.Type = Output.self, limits: TransportLimits? = nil
    ) async throws(AWSError) -> Output {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(input))
        } catch {
            throw AWSError(.invalidRequest, "\(operation): cannot encode the request: \(error)")
        }
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/x-amz-json-1.0")
        headers.add("X-Amz-Target", "AmazonSQS.\(operation)")
        let path = engine.endpoint.basePath.isEmpty ? "/" : engine.endpoint.basePath + "/"
        let request = HTTPRequest(method: "POST", endpoint: engine.endpoint, path: path, headers: headers, body: body)
        var engine = self.engine
        if let limits { engine.limits = limits }
        let response = try await engine.send(request, payload: .hashing(body), operation: operation, maxResponseBytes: maxResponseBytes)
        do {
            return try JSONDecoder().decode(Output.self, from: Data(response.body.isEmpty ? Array("{}".utf8) : response.body))
        } catch {
            throw AWSError(
                .invalidResponse, "\(operation): unreadable response: \(error)", httpStatus: response.status,
                requestID: response.headers["x-amzn-requestid"])
        }
    }
}

/// An output with nothing we read.
struct SQSEmpty: Decodable {}
