/// Where a service's requests go: scheme, host, port and an optional base path.
///
/// A custom endpoint (from `AWS_ENDPOINT_URL*`) means a local stack such as moto or
/// LocalStack: S3 then uses path-style addressing.
public struct AWSEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// `https` or `http`.
    public var scheme: String
    /// Host name or IP literal (IPv6 in brackets).
    public var host: String
    /// Explicit port, or nil for the scheme's default.
    public var port: Int?
    /// Path prefix of the endpoint (already percent-encoded), `""` for none; never ends with `/`.
    public var basePath: String
    /// True when the endpoint came from configuration rather than the AWS default.
    public var isCustom: Bool

    /// An endpoint from its parts.
    public init(scheme: String = "https", host: String, port: Int? = nil, basePath: String = "", isCustom: Bool) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
        self.isCustom = isCustom
    }

    /// Parses `http[s]://host[:port][/path]`; throws `.configuration` on anything else.
    public init(url: String, isCustom: Bool = true) throws(AWSError) {
        let text = url.trimmingASCIIWhitespace()
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw AWSError(.configuration, "endpoint URL '\(url)' has no scheme (expected http:// or https://)")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw AWSError(.configuration, "endpoint URL '\(url)' must use http or https")
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        while path.hasSuffix("/") { path.removeLast() }
        guard !path.utf8.contains(0x3F), !path.utf8.contains(0x23), !rest.utf8.contains(0x40) else {
            throw AWSError(.configuration, "endpoint URL '\(url)' may not carry a query, fragment or user info")
        }
        var host = String(rest)
        var port: Int? = nil
        let portSeparator: String.Index? =
            host.hasPrefix("[")
            ? host.firstIndex(of: "]").flatMap { close in host[close...].firstIndex(of: ":") }
            : host.lastIndex(of: ":")
        if let colon = portSeparator {
            guard let value = Int(host[host.index(after: colon)...]), (1...65535).contains(value) else {
                throw AWSError(.configuration, "endpoint URL '\(url)' has an invalid port")
            }
            port = value
            host = String(host[..<colon])
        }
        let allowed = host.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x2E
                || c == 0x5B || c == 0x5D || c == 0x3A || c == 0x5F
        }
        guard !host.isEmpty, allowed else {
            throw AWSError(.configuration, "endpoint URL '\(url)' has an invalid host")
        }
        self.init(scheme: scheme, host: host.lowercased(), port: port, basePath: path, isCustom: isCustom)
    }

    /// The `Host` header value: host, plus the port when it is not the scheme's default.
    public var hostHeader: String {
        guard let port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) else { return host }
        return "\(host):\(port)"
    }

    /// `scheme://host[:port]basePath`.
    public var description: String { "\(scheme)://\(hostHeader)\(basePath)" }

    /// Resolves a service's endpoint as the SDKs do: `AWS_ENDPOINT_URL_<SERVICE>`, then
    /// `AWS_ENDPOINT_URL`, else the public AWS endpoint of the region (also when
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`).
    public static func resolve(
        service: AWSService, region: String, environment: [String: String] = AWSEnvironment.process
    ) throws(AWSError) -> AWSEndpoint {
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true" {
            return try aws(service: service, region: region)
        }
        for name in ["AWS_ENDPOINT_URL_\(service.environmentSuffix)", "AWS_ENDPOINT_URL"] {
            if let value = environment[name], !value.trimmingASCIIWhitespace().isEmpty {
                return try AWSEndpoint(url: value)
            }
        }
        return try aws(service: service, region: region)
    }

    /// The public AWS endpoint of a service in a region (`<service>.<region>.amazonaws.com`,
    /// `.amazonaws.com.cn` in China regions).
    public static func aws(service: AWSService, region: String) throws(AWSError) -> AWSEndpoint {
        let valid = !region.isEmpty && region.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        guard valid else { throw AWSError(.configuration, "invalid AWS region '\(region)'") }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return AWSEndpoint(host: "\(service.endpointPrefix).\(region).\(suffix)", isCustom: false)
    }
}

/// The services this package talks to, with their signing and endpoint names.
public struct AWSService: Sendable, Equatable {
    /// The SigV4 signing name (credential scope), e.g. `s3`.
    public var signingName: String
    /// The first label of the public endpoint host.
    public var endpointPrefix: String
    /// The suffix of the service's endpoint variable (`AWS_ENDPOINT_URL_<suffix>`).
    public var environmentSuffix: String

    /// Amazon S3.
    public static let s3 = AWSService(signingName: "s3", endpointPrefix: "s3", environmentSuffix: "S3")
    /// Amazon DynamoDB.
    public static let dynamoDB = AWSService(signingName: "dynamodb", endpointPrefix: "dynamodb", environmentSuffix: "DYNAMODB")
    /// Amazon SQS.
    public static let sqs = AWSService(signingName: "sqs", endpointPrefix: "sqs", environmentSuffix: "SQS")
}
