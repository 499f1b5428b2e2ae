/// One walk over an image file's container: what every reader of the file needs, found once.
///
/// ImageKit builds its decode header from it (declared size, bit depth, scans, ICC profile,
/// orientation) and ExifKit its metadata record (EXIF, XMP, IPTC, CIFF), so a photo's headers are
/// read once. Every walk is bounds-checked and linear in the input size; copies (EXIF, XMP,
/// ICC) are capped; nothing here throws: a damaged container yields what could be read, and the
/// per-format record says where the walk stopped so the decoder can refuse it clearly.
public struct ContainerScan: Sendable {
    /// The container, sniffed from the first bytes.
    public let format: ContainerFormat
    /// The size of the scanned input in bytes.
    public let byteCount: Int
    /// Stored width in pixels as the header declares it (JPEG SOF, PNG IHDR, WebP canvas or
    /// frame header, HEIF primary item's `ispe`); nil when not readable or zero.
    public internal(set) var width: Int?
    /// Stored height in pixels, as `width`.
    public internal(set) var height: Int?
    /// The EXIF TIFF block (byte-order mark first, no `Exif\0\0` prefix), if the file has one.
    public internal(set) var exif: [UInt8]?
    /// The XMP packet (UTF-8 XML), at most ``maxXMPBytes`` of it.
    public internal(set) var xmp: [UInt8]?
    /// The embedded ICC profile, if any (HEIF profiles are read by libheif while decoding).
    public internal(set) var iccProfile: EmbeddedICCProfile?
    /// What the JPEG walk found (nil for other formats).
    public internal(set) var jpeg: JPEGStructure?
    /// What the PNG walk found (nil for other formats).
    public internal(set) var png: PNGStructure?
    /// What the WebP walk found (nil for other formats).
    public internal(set) var webp: WebPStructure?
    /// What the HEIF walk found (nil for other formats).
    public internal(set) var heif: HEIFStructure?

    /// Most XMP bytes kept: a JPEG's main packet fits in one 64 KiB APP1 segment; larger packets
    /// elsewhere (PNG, WebP, HEIF) are cut to this prefix rather than copied whole.
    public static let maxXMPBytes = 64 << 10
    /// Most EXIF bytes kept (a JPEG's multi-segment EXIF, a HEIF `Exif` item).
    public static let maxEXIFBytes = 16 << 20
    /// Profiles larger than this are ignored (real ones are a few KB; CMYK LUTs up to ~1 MB).
    public static let maxICCBytes = 4 << 20

    init(format: ContainerFormat, byteCount: Int) {
        self.format = format
        self.byteCount = byteCount
    }

    /// Sniffs and walks `bytes`; nil when they are not a JPEG, PNG, WebP, HEIF/AVIF or TIFF/EXIF block.
    public init?(_ bytes: [UInt8]) {
        guard let format = ContainerFormat.sniff(bytes) else { return nil }
        switch format {
        case .jpeg: self = JPEGStructure.scan(bytes)
        case .png: self = PNGStructure.scan(bytes)
        case .webp: self = WebPStructure.scan(bytes)
        case .heic, .avif: self = HEIFStructure.scan(bytes, format: format)
        case .tiff:
            self.init(format: .tiff, byteCount: bytes.count)
            exif = bytes.starts(with: TIFFBlock.exifPrefix) ? Array(bytes.dropFirst(6)) : bytes
        }
    }

    /// The EXIF orientation (1...8) from the EXIF block's IFD0, nil when absent or invalid.
    public var exifOrientation: Int? { exif.flatMap { TIFFBlock.orientation($0[...]) } }

    /// Sets the declared size when both sides are positive.
    mutating func setSize(_ w: Int, _ h: Int) {
        guard w > 0, h > 0 else { return }
        width = w
        height = h
    }

    /// Keeps the first XMP packet, cut to ``maxXMPBytes``.
    mutating func keepXMP<C: Collection<UInt8>>(_ packet: C) {
        if xmp == nil { xmp = Array(packet.prefix(Self.maxXMPBytes)) }
    }

    /// Keeps the first EXIF block, without an `Exif\0\0` prefix.
    mutating func keepEXIF(_ block: ArraySlice<UInt8>) {
        guard exif == nil, block.count <= Self.maxEXIFBytes else { return }
        exif = Array(block.starts(with: TIFFBlock.exifPrefix) ? block.dropFirst(6) : block)
    }
}

/// An ICC profile as the container stores it.
public enum EmbeddedICCProfile: Sendable, Equatable {
    /// The profile's bytes (JPEG APP2 chain reassembled, WebP `ICCP`).
    case bytes([UInt8])
    /// A PNG `iCCP` chunk's zlib stream, still compressed: inflate it where zlib is linked (ImageKit).
    case zlib([UInt8])
}
