/// Building an engine for one AWS service, the same way for every client (S3, DynamoDB).
extension AWSServiceClient {
    /// An engine for `service` from explicit parts: a SigV4 signer for `region` with `rules`
    /// (`.s3` for S3, `.standard` for the others).
    public init(
        service: AWSService, rules: SigV4Signer.Rules, credentials: AWSCredentials, region: String, endpoint: AWSEndpoint,
        transport: any HTTPTransport = CurlTransport.shared, retry: RetryPolicy = .default, limits: TransportLimits = .default
    ) {
        let signer = SigV4Signer(credentials: credentials, region: region, service: service.signingName, rules: rules)
        self.init(signer: signer, endpoint: endpoint, transport: transport, retry: retry, limits: limits)
    }

    /// An engine for `service` configured from the environment: credentials,
    /// `AWS_REGION`/`AWS_DEFAULT_REGION` and the service's `AWS_ENDPOINT_URL_<SERVICE>`/`AWS_ENDPOINT_URL`.
    public static func fromEnvironment(
        service: AWSService, rules: SigV4Signer.Rules,
        environment: [String: String] = AWSEnvironment.process, transport: any HTTPTransport = CurlTransport.shared
    ) throws(AWSError) -> AWSServiceClient {
        let region = AWSRegion.fromEnvironment(environment)
        return AWSServiceClient(
            service: service, rules: rules, credentials: try AWSCredentials.fromEnvironment(environment), region: region,
            endpoint: try AWSEndpoint.resolve(service: service, region: region, environment: environment), transport: transport)
    }
}
