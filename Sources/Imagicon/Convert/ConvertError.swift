/// Why a conversion request was refused: an HTTP status, a stable `code` for programs and one
/// sentence for people. Every failure the caller sees is one of these (never a stack trace),
/// rendered by ``HTTPResponseError``.
public struct ConvertError: HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
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

    /// The stable code.
    public var codeName: String { code.rawValue }

    /// `allow` on a 405.
    public var headers: [String: String] { code == .methodNotAllowed ? ["allow": "GET, HEAD"] : [:] }
}
