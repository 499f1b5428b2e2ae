/// Bounds-checked reads from a byte buffer in one byte order, for the hand-written parsers
/// (MakerNote IFDs, the CIFF heap). Every read returns nil when any byte of it lies outside
/// the buffer, so offsets and counts taken from the file can never reach past its end;
/// offset arithmetic is done in `Int` on values that come from at most 32-bit fields, so
/// it cannot overflow.
struct ByteReader {
    /// The whole buffer (for a MakerNote: the whole TIFF/EXIF block).
    let bytes: [UInt8]
    /// Motorola (big-endian) order when true, Intel (little-endian) otherwise.
    var bigEndian: Bool

    /// The buffer length.
    var count: Int { bytes.count }

    /// True when `length` bytes starting at `offset` are all inside the buffer.
    func contains(_ offset: Int, _ length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= bytes.count && length <= bytes.count - offset
    }

    /// The byte at `offset`.
    func u8(_ offset: Int) -> UInt8? {
        contains(offset, 1) ? bytes[offset] : nil
    }

    /// The 16-bit unsigned integer at `offset`.
    func u16(_ offset: Int) -> UInt16? {
        guard contains(offset, 2) else { return nil }
        let a = UInt16(bytes[offset])
        let b = UInt16(bytes[offset + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    /// The 16-bit signed integer at `offset`.
    func i16(_ offset: Int) -> Int16? {
        u16(offset).map { Int16(bitPattern: $0) }
    }

    /// The 32-bit unsigned integer at `offset`.
    func u32(_ offset: Int) -> UInt32? {
        guard contains(offset, 4) else { return nil }
        let b0 = UInt32(bytes[offset])
        let b1 = UInt32(bytes[offset + 1])
        let b2 = UInt32(bytes[offset + 2])
        let b3 = UInt32(bytes[offset + 3])
        return bigEndian ? b0 << 24 | b1 << 16 | b2 << 8 | b3 : b3 << 24 | b2 << 16 | b1 << 8 | b0
    }

    /// `length` bytes starting at `offset`, or nil when they are not all inside the buffer.
    func slice(_ offset: Int, _ length: Int) -> ArraySlice<UInt8>? {
        contains(offset, length) ? bytes[offset..<(offset + length)] : nil
    }

    /// True when the bytes at `offset` are exactly `prefix`.
    func matches(_ prefix: [UInt8], at offset: Int) -> Bool {
        slice(offset, prefix.count).map { $0.elementsEqual(prefix) } ?? false
    }

    /// A NUL-terminated string of at most `length` bytes at `offset` (cut at the first NUL,
    /// padding trimmed, invalid UTF-8 repaired), as exiftool reads a `string[N]` field.
    func string(_ offset: Int, maxLength length: Int) -> String? {
        guard let raw = slice(offset, length) else { return nil }
        return ExifRawValue.clean(raw.prefix { $0 != 0 })
    }
}
