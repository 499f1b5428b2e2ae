/// A refusal of the albums API, rendered as `{"error", "code"}` by ``HTTPResponseError``.
public struct ApiError: HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    /// The codes of the albums API (the `find` endpoint also answers the ``SearchError`` codes).
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// Malformed request: fields, types, values, ids (400).
        case badRequest = "BadRequest"
        /// No, garbled, unknown, expired or revoked token (401).
        case unauthorized = "Unauthorized"
        /// A valid token whose role does not allow the call (403).
        case forbidden = "Forbidden"
        /// No such route, album, share or photo — or one the token may not see (404).
        case notFound = "NotFound"
        /// The path exists, the method does not (405).
        case methodNotAllowed = "MethodNotAllowed"
        /// The body or a declared upload exceeds a limit (413).
        case tooLarge = "TooLarge"
        /// The body's content type is not one the endpoint takes (415).
        case unsupportedMediaType = "UnsupportedMediaType"
        /// Something failed on our side (500); details go to the log only.
        case internalError = "InternalError"

        /// The HTTP status of the code.
        public var status: Int {
            switch self {
            case .badRequest: 400
            case .unauthorized: 401
            case .forbidden: 403
            case .notFound: 404
            case .methodNotAllowed: 405
            case .tooLarge: 413
            case .unsupportedMediaType: 415
            case .internalError: 500
            }
        }
    }

    /// The kind of refusal.
    public let code: Code
    /// One sentence for the caller.
    public let message: String
    /// Extra headers (`allow` on a 405, `www-authenticate` on a 401).
    public let headers: [String: String]

    /// Makes an error.
    public init(_ code: Code, _ message: String, headers: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var status: Int { code.status }
    public var codeName: String { code.rawValue }
    public var description: String { "\(status) \(code.rawValue): \(message)" }

    /// The one answer for every bad token, whatever was wrong with it.
    public static let unauthorized = ApiError(
        .unauthorized, "A valid token is required: send 'Authorization: Bearer <token>'.", headers: ["www-authenticate": "Bearer"])
    /// The one answer for a resource the caller may not see (or that does not exist).
    public static let notFound = ApiError(.notFound, "No such album or photo.")
    /// The answer for a role that may not make this call.
    public static let forbidden = ApiError(.forbidden, "This token does not allow this call.")
    /// The generic 500.
    public static let `internal` = ApiError(.internalError, "The request failed on our side; please try again later.")
}
