/// The image container formats ImageKit decodes and encodes, identified from the bytes.
public enum ImageFormat: String, Sendable, CaseIterable, Codable {
    /// JPEG (JFIF/EXIF), baseline, extended, progressive or arithmetic coded.
    case jpeg
    /// PNG, any colour type and bit depth.
    case png
    /// WebP, lossy or lossless (still images).
    case webp

    /// Identifies the format from the first bytes, ignoring any file name or key extension.
    ///
    /// Returns `nil` for anything that is not one of the three formats.
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8 { return .jpeg } // libjpeg skips junk after SOI
        if bytes.count >= 8, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.count >= 12, bytes[0..<4].elementsEqual(Array("RIFF".utf8)), bytes[8..<12].elementsEqual(Array("WEBP".utf8)) {
            return .webp
        }
        return nil
    }

    /// A short name for a format we recognise but do not decode, for clearer error messages.
    static func describeUnsupported(_ bytes: [UInt8]) -> String {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && bytes[offset..<(offset + prefix.count)].elementsEqual(prefix)
        }
        if bytes.isEmpty { return "empty data" }
        if starts(Array("GIF8".utf8)) { return "GIF" }
        if starts([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || starts([0xFF, 0x4F, 0xFF, 0x51]) { return "JPEG 2000" }
        if starts(Array("ftyp".utf8), at: 4) { return "an ISO media file (HEIC/AVIF/MP4)" }
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
        }
    }

    /// The usual file name extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp: "webp"
        }
    }
}
