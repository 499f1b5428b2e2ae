/// Why an image could not be read, resized or written.
///
/// Every outside input can be hostile, so every failure in ImageKit is one of these typed
/// errors with a one-sentence human message; callers map `code` to their own error kinds
/// (for example `NotAnImage` or `TooLarge` in the search response).
public struct ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Equatable {
        /// The bytes are not JPEG, PNG, WebP, HEIC or AVIF, or use a variant we cannot decode (lossless JPEG, animation).
        case unsupportedFormat
        /// The header declares more pixels than the configured limit.
        case tooLarge
        /// The data ends before the image does.
        case truncated
        /// The data is malformed.
        case corrupt
        /// A caller-supplied parameter is out of range (size, quality, buffer shape).
        case invalidArgument
        /// The encoder failed.
        case encodingFailed
    }

    /// The kind of failure.
    public let code: Code
    /// One human-readable sentence.
    public let message: String

    /// Makes an error of the given kind.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message, for logs and CLI output.
    public var description: String { message }
}
