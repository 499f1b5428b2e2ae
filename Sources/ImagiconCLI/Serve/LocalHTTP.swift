import AWSCore
import Foundation

/// Plain (unsigned) HTTP calls of `serve` itself — moto's control API, its own API, browser-style
/// form uploads — over the package's libcurl transport.
enum LocalHTTP {
    /// Sends one request to `url`; any status is an answer, only transport failures throw.
    static func send(
        _ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8] = [], timeoutSeconds: Int = 60
    ) async throws -> AWSCore.HTTPResponse {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else {
            throw ServeError("not a URL: \(url)")
        }
        let endpoint = AWSEndpoint(scheme: scheme, host: host, port: components.port, isCustom: true)
        var fields = AWSCore.HTTPHeaders()
        for (name, value) in headers { fields.add(name, value) }
        let query = (components.queryItems ?? []).map { AWSCore.HTTPRequest.QueryItem($0.name, $0.value ?? "") }
        let request = AWSCore.HTTPRequest(
            method: method, endpoint: endpoint, path: components.percentEncodedPath, query: query, headers: fields, body: body)
        let limits = TransportLimits(totalTimeoutMilliseconds: timeoutSeconds * 1000, stallTimeoutSeconds: timeoutSeconds)
        do {
            return try await CurlTransport.shared.send(request, limits: limits)
        } catch {
            throw ServeError("\(method) \(endpoint): \(error)")
        }
    }
}
