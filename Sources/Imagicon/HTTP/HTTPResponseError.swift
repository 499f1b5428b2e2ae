/// An error that knows its HTTP answer: a status, a stable `code` for programs and one sentence
/// for people, rendered as `{"error": "<message>", "code": "<code>"}` (DESIGN.md). The one way
/// every Function URL handler (`search`, `convert`, `api`) turns a refusal into a response, as
/// Hummingbird's `HTTPResponseError` does.
public protocol HTTPResponseError: Error {
    /// The HTTP status to answer with.
    var status: Int { get }
    /// The stable code sent as `code`.
    var codeName: String { get }
    /// One sentence for the caller (never internal details).
    var message: String { get }
    /// Extra response headers (e.g. `allow` on a 405); none by default.
    var headers: [String: String] { get }
}

extension HTTPResponseError {
    public var headers: [String: String] { [:] }

    /// The JSON error response, never cached.
    public var response: FunctionURLResponse {
        var response =
            (try? FunctionURLResponse.json(status, HTTPErrorBody(error: message, code: codeName)))
            ?? FunctionURLResponse(
                statusCode: status, headers: ["content-type": "application/json"],
                body: Array("{\"code\":\"Internal\",\"error\":\"error\"}".utf8))
        response.headers["cache-control"] = "no-store"
        for (name, value) in headers { response.headers[name] = value }
        return response
    }
}

/// The body of every error response: `{"error", "code"}`.
public struct HTTPErrorBody: Codable, Equatable, Sendable {
    /// One sentence.
    public var error: String
    /// The code.
    public var code: String

    /// Creates a body.
    public init(error: String, code: String) {
        self.error = error
        self.code = code
    }
}
