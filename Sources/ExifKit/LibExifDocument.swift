import CExif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The IFDs this module reads, named after libexif's `ExifIfd`.
enum ExifDirectory: Int, CaseIterable {
    case ifd0 = 0
    case ifd1 = 1
    case exif = 2
    case gps = 3
    case interoperability = 4
}

/// One raw tag value copied out of libexif: its TIFF format, component count and bytes.
struct ExifRawValue: Sendable, Equatable {
    /// libexif / TIFF format code (1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, 6 SBYTE,
    /// 7 UNDEFINED, 8 SSHORT, 9 SLONG, 10 SRATIONAL, 11 FLOAT, 12 DOUBLE).
    var format: Int
    /// Component count as declared in the IFD entry.
    var components: Int
    /// The value bytes, in the block's byte order.
    var bytes: [UInt8]
    /// True for Motorola (big-endian) byte order.
    var bigEndian: Bool
}

/// Owns one libexif `ExifData` (and its `ExifLog`) parsed from a TIFF/EXIF block; frees both
/// in `deinit`. Nothing pointer-typed leaves this type: values are copied out as `ExifRawValue`.
///
/// The block first goes through `ExifBlockSanitizer` (see there). libexif's defaults are
/// changed before loading: `FOLLOW_SPECIFICATION` is cleared (it would
/// *add* mandatory tags with default values, i.e. guess), and `IGNORE_UNKNOWN_TAGS` is cleared
/// so tags libexif does not list for an IFD are still kept.
final class LibExifDocument {
    private let data: UnsafeMutablePointer<ExifData>
    private let log: OpaquePointer
    private let sink: LogSink
    private let bigEndian: Bool
    /// Entries present with zero components (libexif drops them), as `ExifBlockSanitizer.key`.
    private let emptyEntries: Set<UInt32>
    /// Where the EXIF IFD's MakerNote is in the block, if it has one (libexif never sees it).
    let makerNote: MakerNoteLocation?

    /// Collects libexif's log lines (bounded) during loading.
    final class LogSink {
        /// The captured messages, at most `limit`.
        var messages: [String] = []
        /// How many messages libexif emitted in total.
        var count = 0
        /// Maximum number of messages kept.
        let limit = 32
    }

    /// Parses `tiff` (a TIFF header and IFDs, without the `Exif\0\0` APP1 prefix).
    /// Returns nil if libexif cannot allocate its objects; damaged data loads partially.
    init?(tiff: [UInt8]) {
        guard let data = exif_data_new() else { return nil }
        guard let log = exif_log_new() else {
            exif_data_unref(data)
            return nil
        }
        self.data = data
        self.log = log
        self.sink = LogSink()
        exif_log_set_func(log, libexifLogCallback, Unmanaged.passUnretained(sink).toOpaque())
        exif_data_log(data, log)
        exif_data_unset_option(data, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION)
        exif_data_unset_option(data, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS)
        exif_data_set_option(data, EXIF_DATA_OPTION_DONT_CHANGE_MAKER_NOTE)
        // libexif wants the APP1 payload: "Exif\0\0" followed by the TIFF block.
        // libexif never looks past 0xFFFE bytes of APP1 payload; copy no more than that.
        var sanitized = Array(tiff.prefix(ExifBlockSanitizer.libexifLimit))
        let findings = ExifBlockSanitizer.sanitize(&sanitized, fullLength: tiff.count)
        emptyEntries = findings.emptyEntries
        makerNote = findings.makerNote
        var block: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]
        block.reserveCapacity(sanitized.count + 6)
        block.append(contentsOf: sanitized)
        block.withUnsafeBufferPointer { buffer in
            exif_data_load_data(data, buffer.baseAddress, UInt32(clamping: buffer.count))
        }
        // Detach the sink: libexif may log later (e.g. while freeing) and must not reach it then.
        exif_log_set_func(log, nil, nil)
        bigEndian = exif_data_get_byte_order(data) == EXIF_BYTE_ORDER_MOTOROLA
    }

    deinit {
        exif_data_unref(data)
        exif_log_unref(log)
    }

    /// libexif's log lines from loading, at most `LogSink.limit` of them.
    var messages: [String] { sink.messages }

    /// The value of `tag` in `directory`, copied out, or nil when the tag is absent.
    func value(_ tag: UInt16, in directory: ExifDirectory) -> ExifRawValue? {
        let content: UnsafeMutablePointer<ExifContent>? = withUnsafePointer(to: &data.pointee.ifd) { tuple in
            tuple.withMemoryRebound(to: UnsafeMutablePointer<ExifContent>?.self, capacity: Int(EXIF_IFD_COUNT.rawValue)) {
                $0[directory.rawValue]
            }
        }
        guard let content, let entry = exif_content_get_entry(content, ExifTag(rawValue: UInt32(tag))) else {
            if emptyEntries.contains(ExifBlockSanitizer.key(tag, directory)) {
                return ExifRawValue(format: 2, components: 0, bytes: [], bigEndian: bigEndian)
            }
            return nil
        }
        let e = entry.pointee
        var bytes: [UInt8] = []
        if let p = e.data, e.size > 0 {
            bytes = Array(UnsafeBufferPointer(start: p, count: Int(e.size)))
        }
        return ExifRawValue(format: Int(e.format.rawValue), components: Int(clamping: e.components), bytes: bytes, bigEndian: bigEndian)
    }
}

/// libexif log callback: formats the message into the `LogSink` passed as user data.
private let libexifLogCallback: ExifLogFunc = { _, _, _, format, args, user in
    guard let user, let format, let args else { return }
    let sink = Unmanaged<LibExifDocument.LogSink>.fromOpaque(user).takeUnretainedValue()
    sink.count += 1
    guard sink.messages.count < sink.limit else { return }
    var buffer = [CChar](repeating: 0, count: 256)
    _ = buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, args) }
    sink.messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
}
