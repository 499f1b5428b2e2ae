/// Why EXIF metadata could not be read at all.
///
/// Damaged metadata inside a readable image is *not* an error: the reader returns whatever
/// could be read safely. An error means there is no image container to read from.
public struct ExifError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable for callers that branch on it.
    public enum Code: String, Sendable, Equatable {
        /// The bytes are empty.
        case empty
        /// The bytes are not a JPEG, PNG, WebP or TIFF/EXIF block.
        case unsupportedFormat
        /// The file could not be opened or read.
        case unreadableFile
    }

    /// The kind of failure.
    public let code: Code
    /// One human-readable sentence.
    public let message: String

    /// Creates an error with its code and a one-line message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message, so `"\(error)"` is the one-line reason.
    public var description: String { message }
}
