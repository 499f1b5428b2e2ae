/// One HTTP request to an AWS endpoint, as the signer and the transport see it.
public struct HTTPRequest: Sendable, Equatable {
    /// One query parameter, kept decoded; encoding happens when the URL is built.
    public struct QueryItem: Sendable, Equatable {
        /// The decoded name.
        public var name: String
        /// The decoded value (`""` for a bare name).
        public var value: String
        /// A parameter from decoded strings.
        public init(_ name: String, _ value: String = "") {
            self.name = name
            self.value = value
        }
    }

    /// `GET`, `PUT`, `POST`, `HEAD`, `DELETE`...
    public var method: String
    /// Where the request goes.
    public var endpoint: AWSEndpoint
    /// The path as sent on the wire (already percent-encoded), starting with `/`.
    public var path: String
    /// Query parameters, decoded.
    public var query: [QueryItem]
    /// Header fields (the transport adds `Host` from the endpoint when absent).
    public var headers: HTTPHeaders
    /// The request body; the transport streams it from this storage without copying.
    public var body: [UInt8]

    /// A request from its parts.
    public init(
        method: String, endpoint: AWSEndpoint, path: String = "/", query: [QueryItem] = [],
        headers: HTTPHeaders = [:], body: [UInt8] = []
    ) {
        self.method = method
        self.endpoint = endpoint
        self.path = path.isEmpty ? "/" : path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The query string as sent: RFC 3986-encoded names and values in canonical (sorted) order.
    public var encodedQuery: String {
        SigV4Signer.canonicalQueryString(query)
    }

    /// The full URL: `scheme://host[:port]path[?query]`.
    public var url: String {
        let query = encodedQuery
        return "\(endpoint.scheme)://\(endpoint.hostHeader)\(path)" + (query.isEmpty ? "" : "?\(query)")
    }
}

/// A response: status, headers and the (size-capped) body.
public struct HTTPResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// Response header fields of the final response.
    public var headers: HTTPHeaders
    /// The body bytes.
    public var body: [UInt8]

    /// A response from its parts.
    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// True for 2xx.
    public var isSuccess: Bool { (200...299).contains(status) }
}
