/// A search request the function refuses, with the HTTP status and the `code` of the error body
/// (DESIGN.md: `{"error": "<one sentence>", "code": ...}`), rendered by ``HTTPResponseError``.
public struct SearchError: HTTPResponseError, Equatable, Sendable, CustomStringConvertible {
    /// The error codes of the `search` contract.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// A selfie shows no face.
        case noFace = "NoFace"
        /// A selfie shows more than one face.
        case multipleFaces = "MultipleFaces"
        /// A selfie is not a JPEG, PNG, WebP, HEIC or AVIF image we can decode.
        case notAnImage = "NotAnImage"
        /// The body, a selfie or the ZIP exceeds a limit.
        case tooLarge = "TooLarge"
        /// The request is malformed (fields, types, values).
        case badRequest = "BadRequest"
        /// The album has no records.
        case unknownAlbum = "UnknownAlbum"
        /// Something failed on our side; the caller sees only a generic sentence.
        case internalError = "InternalError"

        /// The HTTP status of this code.
        public var status: Int {
            switch self {
            case .noFace, .multipleFaces, .notAnImage: 422
            case .tooLarge: 413
            case .badRequest: 400
            case .unknownAlbum: 404
            case .internalError: 500
            }
        }
    }

    /// The kind of refusal.
    public let code: Code
    /// One sentence for the caller (never internal details).
    public let message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// The generic 500 answer; details belong in the log only.
    public static let `internal` = SearchError(.internalError, "The search failed on our side; please try again later.")

    /// The HTTP status of the code.
    public var status: Int { code.status }

    /// The stable code.
    public var codeName: String { code.rawValue }
}
