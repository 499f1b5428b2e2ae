/// One TIFF-style IFD inside a camera MakerNote, read the way exiftool reads MakerNote
/// directories (`Image::ExifTool::Exif::ProcessExif` with a MakerNotes table):
///
/// - The entry table may run past the MakerNote itself as long as it stays inside the EXIF
///   block; when it runs past the block, only the entries that fit in the MakerNote are read
///   (if the MakerNote holds at least one). 1 or 3 bytes between the table and the block end
///   mean the directory is garbage and it is not read at all.
/// - Out-of-line values are at `base + offset`, where the base depends on the vendor format
///   (the EXIF TIFF header for Canon, the MakerNote's own TIFF header for Nikon type 3).
/// - A byte order of `.guess` is decided from the entry count, as exiftool does for
///   MakerNotes written in either order ("ByteOrder => 'Unknown'").
///
/// Everything is read through `ByteReader` inside the EXIF block: a hostile count or offset
/// can only make a value absent. The entry table is at most `block / 12` entries and each
/// lookup is one linear scan of it.
struct MakerNoteIFD {
    /// How the IFD's byte order is chosen.
    enum ByteOrder {
        /// Always this order (true: big-endian).
        case fixed(bigEndian: Bool)
        /// The given order, unless the entry count read in it looks implausible (high byte
        /// non-zero and larger than the low byte), in which case the other order.
        case guess(default: Bool)
    }

    /// One 12-byte directory entry.
    struct Entry {
        /// The tag number.
        var tag: UInt16
        /// The TIFF format code.
        var format: Int
        /// The declared component count.
        var count: Int
        /// Where the 12-byte entry starts in the block.
        var position: Int
    }

    /// The EXIF block, in this IFD's byte order.
    let reader: ByteReader
    /// Where the entry count is.
    let start: Int
    /// How many entries are read.
    let entryCount: Int
    /// Added to out-of-line value offsets to get a block position.
    var base: Int

    /// Reads the directory at `start` of `reader`'s block; `length` is how many bytes of the
    /// MakerNote are available from `start`. Nil when there is no readable directory there.
    init?(block: ByteReader, start: Int, length: Int, byteOrder: ByteOrder, base: Int) {
        var reader = block
        switch byteOrder {
        case .fixed(let big): reader.bigEndian = big
        case .guess(let big):
            reader.bigEndian = big
            guard let n = reader.u16(start) else { return nil }
            if n & 0xFF00 != 0, n >> 8 > n & 0xFF { reader.bigEndian = !big }
        }
        guard start >= 0, let declared = reader.u16(start) else { return nil }
        var n = Int(declared)
        if start + 2 + 12 * n > reader.count {
            guard length >= 14, reader.contains(start, length) else { return nil }
            n = (length - 2) / 12
        }
        let fromEnd = reader.count - (start + 2 + 12 * n)
        guard fromEnd >= 4 || fromEnd == 0 || fromEnd == 2 else { return nil }
        self.reader = reader
        self.start = start
        self.entryCount = n
        self.base = base
    }

    /// The entry at `index` (0 ..< entryCount).
    func entry(at index: Int) -> Entry {
        let p = start + 2 + 12 * index // inside the block: checked in init
        return Entry(tag: reader.u16(p) ?? 0, format: Int(reader.u16(p + 2) ?? 0), count: Int(reader.u32(p + 4) ?? 0), position: p)
    }

    /// The first entry with `tag`.
    func entry(_ tag: UInt16) -> Entry? {
        for i in 0..<entryCount {
            let e = entry(at: i)
            if e.tag == tag { return e }
        }
        return nil
    }

    /// Where `entry`'s value bytes are in the block and how many there are, or nil when the
    /// format is unknown or the value is not entirely inside the block.
    func valueRange(_ entry: Entry) -> (offset: Int, size: Int)? {
        guard let unit = ExifRawValue.componentSize(entry.format) else { return nil }
        let size = entry.count * unit
        let offset: Int
        if size <= 4 {
            offset = entry.position + 8
        } else {
            guard let pointer = reader.u32(entry.position + 8) else { return nil }
            offset = base + Int(pointer)
        }
        return reader.contains(offset, size) ? (offset, size) : nil
    }

    /// The value of `tag`, copied out (its size is bounded by the block), or nil.
    func value(_ tag: UInt16) -> ExifRawValue? {
        guard let e = entry(tag), let (offset, size) = valueRange(e), let bytes = reader.slice(offset, size) else { return nil }
        return ExifRawValue(format: e.format, components: e.count, bytes: Array(bytes), bigEndian: reader.bigEndian)
    }
}
