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
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8 { return .jpeg } // libjpeg skips junk after SOI
        if bytes.count >= 8, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.count >= 12, bytes[0..<4].elementsEqual(Array("RIFF".utf8)), bytes[8..<12].elementsEqual(Array("WEBP".utf8)) {
            return .webp
        }
        return heifBrand(bytes)
    }

    /// HEIF files: a leading `ftyp` box whose major or compatible brands name AVIF (`avif`,
    /// `avis`) or a HEVC/generic HEIF brand (`heic`, `heix`, `heim`, `heis`, `hevc`, `hevx`,
    /// `mif1`, `msf1`). AVIF brands win: AVIF files list `mif1` too.
    static func heifBrand(_ bytes: [UInt8]) -> ImageFormat? {
        guard bytes.count >= 16, bytes[4..<8].elementsEqual(Array("ftyp".utf8)) else { return nil }
        let size = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard size >= 16, size <= min(bytes.count, 4096) else { return nil }
        var brands: [String] = [String(decoding: bytes[8..<12], as: UTF8.self)]
        var i = 16
        while i + 4 <= size {
            brands.append(String(decoding: bytes[i..<(i + 4)], as: UTF8.self))
            i += 4
        }
        if brands.contains(where: { $0 == "avif" || $0 == "avis" }) { return .avif }
        if brands.contains(where: { ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"].contains($0) }) { return .heic }
        return nil
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
