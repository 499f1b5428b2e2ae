import ContainerKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads `PhotoMetadata` from image bytes: JPEG (APP1 EXIF), PNG (`eXIf`), WebP (`EXIF`),
/// HEIC/HEIF/AVIF (the `Exif` item; size from the primary image's `ispe`) or a bare TIFF/EXIF block. This is the module's one parser entry point (and the fuzz target).
/// EXIF is the source of every field; a few fields the file states only elsewhere are taken
/// from there, as exiftool reports them: the camera MakerNote (ISO, lens model), a Canon CIFF
/// heap in APP0 (make, model, capture time, focal length), the XMP packet (orientation, make,
/// model, lens model, capture time) or the IPTC record (capture time), in that order.
///
/// Hostile input: container walks are bounds-checked and linear; the EXIF block is parsed by
/// libexif (which bounds every offset, caps recursion and ignores IFD loops); values are
/// copied out with explicit size checks; MakerNote and CIFF readers read only through
/// bounds-checked `ByteReader`s and visit each directory once. A file whose EXIF is damaged yields what could be
/// read; only input that is not an image container at all throws.
public enum ExifReader {
    /// The result of one extraction: the record plus what the parser noticed on the way.
    public struct Extraction: Sendable {
        /// The metadata record.
        public var metadata: PhotoMetadata
        /// The detected container format.
        public var format: ContainerFormat
        /// True when the container carries an EXIF block.
        public var hasExif: Bool
        /// libexif's diagnostics while parsing (at most 32 lines), for logs.
        public var warnings: [String]
    }

    /// Reads the metadata record from `bytes`.
    public static func metadata(from bytes: [UInt8]) throws(ExifError) -> PhotoMetadata {
        try extract(from: bytes).metadata
    }

    /// Reads the metadata record and diagnostics from `bytes`.
    public static func extract(from bytes: [UInt8]) throws(ExifError) -> Extraction {
        guard !bytes.isEmpty else { throw ExifError(.empty, "empty input: no image data") }
        guard let scan = ContainerScan(bytes) else {
            throw ExifError(.unsupportedFormat, "not a JPEG, PNG, WebP, HEIF/AVIF or TIFF/EXIF file")
        }
        return extract(from: scan)
    }

    /// Reads the metadata record and diagnostics from a file's container scan (the scan the
    /// decoder reads too, so the file is walked once).
    public static func extract(from scan: ContainerScan) -> Extraction {
        var metadata = PhotoMetadata()
        var warnings: [String] = []
        if let tiff = scan.exif, let document = LibExifDocument(tiff: tiff) {
            metadata = PhotoMetadata(document)
            warnings = document.messages
            // The MakerNote is parsed only when it can add something.
            if metadata.iso == nil || metadata.lensModel == nil, let location = document.makerNote {
                metadata.fill(from: MakerNote.read(tiff: tiff, at: location, make: metadata.make, model: metadata.model))
            }
            if scan.format == .tiff {
                // A bare TIFF's own header is IFD0's ImageWidth/ImageLength.
                metadata.width = document.value(0x0100, in: .ifd0)?.integer.flatMap { $0 > 0 ? $0 : nil }
                metadata.height = document.value(0x0101, in: .ifd0)?.integer.flatMap { $0 > 0 ? $0 : nil }
            }
        }
        // Canon CIFF (JPEG APP0) and IPTC (JPEG APP13): the first segment that parses.
        if let ciff = scan.jpeg?.segments(0xE0).lazy.compactMap(CIFFRecord.init(app0:)).first { metadata.fill(from: ciff) }
        let xmp = scan.xmp.map { XMPPacket(bytes: $0) }
        if let xmp { metadata.fillFromXMP(xmp) }
        // exiftool's composite DateTimeOriginal: IPTC date + time, when no source has one.
        if metadata.dateTimeOriginal == nil, xmp?.value("exif:DateTimeOriginal") == nil,
            let created = scan.jpeg?.segments(0xED).lazy.compactMap(IPTCRecord.init(app13:)).first?.dateTimeCreated
        {
            metadata.dateTimeOriginal = created
        }
        if scan.format != .tiff {
            metadata.width = scan.width
            metadata.height = scan.height
        }
        return Extraction(metadata: metadata, format: scan.format, hasExif: scan.exif != nil, warnings: warnings)
    }

    /// Reads the metadata record of the file at `path`.
    public static func metadata(contentsOfFile path: String) throws(ExifError) -> PhotoMetadata {
        try metadata(from: readFile(path))
    }

    /// Largest file `readFile` accepts (1 GiB): bigger inputs are refused, not loaded.
    public static let maxFileSize = 1 << 30

    /// Reads a whole file with POSIX calls (no Foundation), refusing files over `maxFileSize`.
    public static func readFile(_ path: String) throws(ExifError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ExifError(.unreadableFile, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ExifError(.unreadableFile, "cannot stat \(path): \(String(cString: strerror(errno)))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ExifError(.unreadableFile, "\(path) is not a regular file") }
        let size = Int(st.st_size)
        guard size <= maxFileSize else { throw ExifError(.unreadableFile, "\(path) is larger than \(maxFileSize) bytes") }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ExifError(.unreadableFile, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            done += n
        }
        return done == size ? bytes : Array(bytes.prefix(done))
    }
}
