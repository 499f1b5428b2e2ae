/// The containers ``ContainerScan`` walks, identified from the first bytes (never a file name).
public enum ContainerFormat: String, Sendable, Equatable, CaseIterable {
    /// JPEG (JFIF/EXIF): marker segments up to the first scan.
    case jpeg
    /// PNG: length-type-data-CRC chunks.
    case png
    /// WebP: a RIFF file of chunks.
    case webp
    /// HEIC/HEIF: an ISO-BMFF file whose `ftyp` names a HEVC or generic HEIF brand.
    case heic
    /// AVIF: an ISO-BMFF file whose `ftyp` names `avif` or `avis`.
    case avif
    /// A bare TIFF/EXIF block (`II*\0` / `MM\0*`), optionally after an `Exif\0\0` prefix.
    case tiff

    /// True for the ISO-BMFF (HEIF) based formats.
    public var isHEIF: Bool { self == .heic || self == .avif }

    /// Identifies the container from the first bytes; nil when it is none of these.
    public static func sniff(_ b: [UInt8]) -> ContainerFormat? {
        if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8 { return .jpeg } // libjpeg skips junk after SOI
        if b.starts(with: pngSignature) { return .png }
        if b.count >= 12, b.starts(with: Array("RIFF".utf8)), b[8..<12].elementsEqual("WEBP".utf8) { return .webp }
        if let brand = heifBrand(b) { return brand }
        if TIFFBlock.isHeader(b[...]) { return .tiff }
        if b.starts(with: TIFFBlock.exifPrefix), TIFFBlock.isHeader(b.dropFirst(6)) { return .tiff }
        return nil
    }

    /// The PNG file signature.
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A leading `ftyp` box whose major or compatible brands name AVIF (`avif`, `avis`) or a
    /// HEVC/generic HEIF brand. AVIF brands win: AVIF files list `mif1` too.
    static func heifBrand(_ b: [UInt8]) -> ContainerFormat? {
        guard b.count >= 16, b[4..<8].elementsEqual("ftyp".utf8) else { return nil }
        let size = Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
        guard size >= 16, size <= min(b.count, 4096) else { return nil }
        // Major brand, minor version (skipped), compatible brands.
        let brands = [8] + Array(stride(from: 16, to: size - 3, by: 4))
        let names = brands.map { String(decoding: b[$0..<($0 + 4)], as: UTF8.self) }
        if names.contains(where: { $0 == "avif" || $0 == "avis" }) { return .avif }
        if names.contains(where: { ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "mif2"].contains($0) }) {
            return .heic
        }
        return nil
    }
}
