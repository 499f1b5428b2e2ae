#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Why a dlib serialised stream could not be read.
///
/// Model files are outside input: every malformed, truncated or absurd value ends here,
/// never in a trap or an unbounded allocation.
public struct DlibFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Equatable {
        /// The stream ended before the value was complete.
        case truncated
        /// An integer control byte announced an impossible length (0 or more than the type holds).
        case badIntegerControl
        /// A decoded integer does not fit the requested type (or is negative where a size is expected).
        case integerOutOfRange
        /// A floating point value uses dlib's legacy ASCII encoding, which model files never do.
        case unsupportedFloatEncoding
        /// A count or size announces more elements than the remaining bytes could hold.
        case sizeTooLarge
        /// A bool byte other than ASCII `'0'`/`'1'`.
        case badBool
        /// A structural value (version, tag, name) is not what the format requires.
        case unexpectedValue
    }

    /// The kind of failure.
    public let code: Code
    /// Byte offset in the stream where the failing value starts.
    public let offset: Int
    /// Human-readable explanation.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    /// `message (at byte offset)`.
    public var description: String { "\(message) (at byte \(offset))" }
}

/// A model file could not be read from disk.
public struct DlibFileError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// The POSIX error number.
    public let errno: Int32
    /// `cannot read <path>: <strerror>`.
    public var description: String { "cannot read \(path): \(String(cString: strerror(errno)))" }
}
