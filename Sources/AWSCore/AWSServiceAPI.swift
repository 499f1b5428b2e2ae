/// What every service client (S3, DynamoDB, SQS) is: a typed API over one ``AWSServiceClient`` engine.
/// Conforming gives a client its two standard ways to be built, from explicit parts and from the
/// environment, so no client repeats them.
public protocol AWSServiceAPI: Sendable {
    /// The service the client speaks to.
    static var service: AWSService { get }
    /// How its requests are signed (`.s3` for S3, `.standard` for the others).
    static var signingRules: SigV4Signer.Rules { get }
    /// A client on a prepared engine (its signer must use ``signingRules``).
    init(engine: AWSServiceClient)
}

extension AWSServiceAPI {
    /// A client from explicit parts.
    public init(
        credentials: AWSCredentials, region: String, endpoint: AWSEndpoint,
        transport: any HTTPTransport = CurlTransport.shared, retry: RetryPolicy = .default,
        limits: TransportLimits = .default
    ) {
        self.init(
            engine: AWSServiceClient(
                service: Self.service, rules: Self.signingRules, credentials: credentials, region: region, endpoint: endpoint,
                transport: transport, retry: retry, limits: limits))
    }

    /// A client configured from the environment: credentials, `AWS_REGION`/`AWS_DEFAULT_REGION` and the
    /// service's `AWS_ENDPOINT_URL_<SERVICE>`/`AWS_ENDPOINT_URL`.
    public static func fromEnvironment(
        _ environment: [String: String] = AWSEnvironment.process, transport: any HTTPTransport = CurlTransport.shared
    ) throws(AWSError) -> Self {
        Self(engine: try .fromEnvironment(service: service, rules: signingRules, environment: environment, transport: transport))
    }
}
