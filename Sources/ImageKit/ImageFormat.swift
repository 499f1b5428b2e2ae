import ContainerKit

/// The image container formats ImageKit decodes and encodes, identified from the bytes.
public enum ImageFormat: String, Sendable, CaseIterable, Codable {
    /// JPEG (JFIF/EXIF), baseline, extended, progressive or arithmetic coded.
    case jpeg
    /// PNG, any colour type and bit depth.
    case png
    /// WebP, lossy or lossless (still images).
    case webp
    /// HEIC/HEIF: an ISO-BMFF (HEIF) file with HEVC-coded images. Decoded, never encoded.
    case heic
    /// AVIF: an ISO-BMFF (HEIF) file with AV1-coded images. Decoded, never encoded.
    case avif

    /// Identifies the format from the first bytes, ignoring any file name or key extension.
    ///
    /// Returns `nil` for anything that is not one of these formats.
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        ContainerFormat.sniff(bytes).flatMap(ImageFormat.init)
    }

    /// The decodable format of a container (nil for a bare TIFF/EXIF block).
    public init?(_ container: ContainerFormat) {
        switch container {
        case .jpeg: self = .jpeg
        case .png: self = .png
        case .webp: self = .webp
        case .heic: self = .heic
        case .avif: self = .avif
        case .tiff: return nil
        }
    }

    /// True for the HEIF-based formats (decoded through libheif; no encoder).
    public var isHEIF: Bool { self == .heic || self == .avif }

    /// The formats `ImageEncoder` writes.
    public static let encodable: [ImageFormat] = [.jpeg, .png, .webp]

    /// The format to write when a caller keeps "the source's format": itself, except HEIC and
    /// AVIF, which ImageKit does not encode and which become JPEG (every viewer shows it).
    public var output: ImageFormat { isHEIF ? .jpeg : self }

    /// A short name for a format we recognise but do not decode, for clearer error messages.
    static func describeUnsupported(_ bytes: [UInt8]) -> String {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && bytes[offset..<(offset + prefix.count)].elementsEqual(prefix)
        }
        if bytes.isEmpty { return "empty data" }
        if starts(Array("GIF8".utf8)) { return "GIF" }
        if starts([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || starts([0xFF, 0x4F, 0xFF, 0x51]) { return "JPEG 2000" }
        if starts(Array("ftyp".utf8), at: 4) { return "an ISO media file that is not HEIF (e.g. MP4)" }
        if starts(Array("II*\0".utf8)) || starts(Array("MM\0*".utf8)) { return "TIFF" }
        if starts(Array("BM".utf8)) { return "BMP" }
        return "unrecognised data"
    }

    /// The IANA media type, for `Content-Type`.
    public var mimeType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        case .heic: "image/heic"
        case .avif: "image/avif"
        }
    }

    /// The usual file name extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp: "webp"
        case .heic: "heic"
        case .avif: "avif"
        }
    }
}
