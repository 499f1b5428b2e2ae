/// Why a conversion request was refused: an HTTP status, a stable `code` for programs and one
/// sentence for people. Every failure the caller sees is one of these (never a stack trace).
public struct ConvertError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, sent as `code` in the JSON error body.
    public enum Code: String, Sendable, Equatable {
        /// Unknown, repeated or out-of-range parameters, or a malformed key (400).
        case badRequest = "BadRequest"
        /// The key is in a prefix the function does not serve (403).
        case forbidden = "Forbidden"
        /// No such object in the source bucket (404).
        case notFound = "NotFound"
        /// Only GET and HEAD are served (405).
        case methodNotAllowed = "MethodNotAllowed"
        /// The object is not a JPEG, PNG, WebP, HEIC or AVIF image we can decode (422).
        case notAnImage = "NotAnImage"
        /// The source has more pixels than allowed (422), or the output would not fit the limits (413/422).
        case tooLarge = "TooLarge"
        /// S3 failed or throttled us (502/503).
        case sourceUnavailable = "SourceUnavailable"
        /// A bug or an unexpected failure (500).
        case internalError = "Internal"
    }

    /// The kind of failure.
    public let code: Code
    /// The HTTP status to answer with.
    public let status: Int
    /// One sentence for the caller.
    public let message: String

    /// Makes an error.
    public init(_ code: Code, status: Int, _ message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    /// A 400 `BadRequest`.
    static func badRequest(_ message: String) -> ConvertError { ConvertError(.badRequest, status: 400, message) }

    public var description: String { "\(status) \(code.rawValue): \(message)" }

    /// The JSON error response `{"error", "code"}`.
    public var response: FunctionURLResponse {
        struct Body: Encodable {
            let error: String
            let code: String
        }
        var response =
            (try? FunctionURLResponse.json(status, Body(error: message, code: code.rawValue)))
            ?? FunctionURLResponse(
                statusCode: status, headers: ["content-type": "application/json"],
                body: Array("{\"code\":\"Internal\",\"error\":\"error\"}".utf8))
        response.headers["cache-control"] = "no-store"
        if code == .methodNotAllowed { response.headers["allow"] = "GET, HEAD" }
        return response
    }
}
