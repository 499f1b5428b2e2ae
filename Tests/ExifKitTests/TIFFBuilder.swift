/// Builds little- or big-endian TIFF/EXIF blocks for tests: IFD0 with optional EXIF and GPS
/// sub-IFDs, values placed after the IFDs. Also wraps blocks in JPEG, PNG and WebP containers.
struct TIFFBuilder {
    /// One IFD entry: tag, TIFF format code, component count and value bytes (in block order).
    struct Entry {
        var tag: UInt16
        var format: UInt16
        var count: UInt32
        var value: [UInt8]
    }

    var bigEndian = false
    var ifd0: [Entry] = []
    var exif: [Entry] = []
    var gps: [Entry] = []
    /// The EXIF IFD's MakerNote (tag 0x927C, UNDEFINED), made from the offset it gets in the
    /// block (Canon-style MakerNotes address their values from the TIFF header). Its length
    /// must not depend on that offset.
    var makerNote: ((Int) -> [UInt8])?

    // MARK: entry constructors

    func ascii(_ tag: UInt16, _ s: String) -> Entry {
        let bytes = Array(s.utf8) + [0]
        return Entry(tag: tag, format: 2, count: UInt32(bytes.count), value: bytes)
    }
    func rawASCII(_ tag: UInt16, _ bytes: [UInt8]) -> Entry {
        Entry(tag: tag, format: 2, count: UInt32(bytes.count), value: bytes)
    }
    func short(_ tag: UInt16, _ values: UInt16...) -> Entry {
        Entry(tag: tag, format: 3, count: UInt32(values.count), value: values.flatMap { u16($0) })
    }
    func shorts(_ tag: UInt16, _ values: [UInt16]) -> Entry {
        Entry(tag: tag, format: 3, count: UInt32(values.count), value: values.flatMap { u16($0) })
    }
    func undefined(_ tag: UInt16, _ bytes: [UInt8]) -> Entry {
        Entry(tag: tag, format: 7, count: UInt32(bytes.count), value: bytes)
    }
    func byte(_ tag: UInt16, _ v: UInt8) -> Entry {
        Entry(tag: tag, format: 1, count: 1, value: [v])
    }
    func rational(_ tag: UInt16, _ pairs: (UInt32, UInt32)...) -> Entry {
        Entry(tag: tag, format: 5, count: UInt32(pairs.count), value: pairs.flatMap { u32($0.0) + u32($0.1) })
    }
    func srational(_ tag: UInt16, _ pairs: (Int32, Int32)...) -> Entry {
        Entry(
            tag: tag, format: 10, count: UInt32(pairs.count),
            value: pairs.flatMap { u32(UInt32(bitPattern: $0.0)) + u32(UInt32(bitPattern: $0.1)) })
    }

    func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
    func u32(_ v: UInt32) -> [UInt8] {
        let le = [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
        return bigEndian ? le.reversed() : le
    }

    /// The TIFF block: header, IFD0 (+ pointers to EXIF/GPS IFDs), then those IFDs, then data
    /// (the MakerNote, if any, among the data in tag order).
    func build() -> [UInt8] {
        guard let makerNote else { return layout(exif: exif).bytes }
        let length = makerNote(0).count
        precondition(length > 4, "a MakerNote is stored out of line")
        let placeholder = Entry(tag: 0x927C, format: 7, count: UInt32(length), value: Array(repeating: 0, count: length))
        var (bytes, positions) = layout(exif: exif + [placeholder])
        let at = positions[0x927C]!
        bytes.replaceSubrange(at..<(at + length), with: makerNote(at))
        return bytes
    }

    /// An IFD (entry count, entries sorted by tag, zero next-IFD link) followed by its
    /// out-of-line values, as found inside MakerNotes: value offsets are `origin` plus the
    /// value's position in the returned bytes.
    func ifdBytes(_ entries: [Entry], origin: Int) -> [UInt8] {
        let sorted = entries.sorted { $0.tag < $1.tag }
        var out = u16(UInt16(sorted.count))
        var data: [UInt8] = []
        let dataStart = 2 + 12 * sorted.count + 4
        for e in sorted {
            out += u16(e.tag) + u16(e.format) + u32(e.count)
            if e.value.count <= 4 {
                out += e.value + Array(repeating: 0, count: 4 - e.value.count)
            } else {
                out += u32(UInt32(origin + dataStart + data.count))
                data += e.value
                if data.count % 2 == 1 { data.append(0) }
            }
        }
        return out + u32(0) + data
    }

    /// A TIFF header in this builder's byte order, first IFD at 8.
    var tiffHeader: [UInt8] { (bigEndian ? [0x4D, 0x4D, 0, 0x2A] : [0x49, 0x49, 0x2A, 0]) + u32(8) }

    /// Lays the block out; also returns where each out-of-line value of the EXIF IFD went.
    private func layout(exif: [Entry]) -> (bytes: [UInt8], positions: [UInt16: Int]) {
        var positions: [UInt16: Int] = [:]
        var ifds: [[Entry]] = [ifd0]
        var root = ifd0
        if !exif.isEmpty {
            root.append(Entry(tag: 0x8769, format: 4, count: 1, value: [0, 0, 0, 0]))
            ifds.append(exif)
        }
        if !gps.isEmpty {
            root.append(Entry(tag: 0x8825, format: 4, count: 1, value: [0, 0, 0, 0]))
            ifds.append(gps)
        }
        ifds[0] = root
        // Layout: header(8), then each IFD (2 + 12n + 4), then out-of-line values.
        var offsets: [Int] = []
        var pos = 8
        for ifd in ifds {
            offsets.append(pos)
            pos += 2 + 12 * ifd.count + 4
        }
        var data: [UInt8] = []
        let dataStart = pos
        var out: [UInt8] = bigEndian ? [0x4D, 0x4D, 0, 0x2A] : [0x49, 0x49, 0x2A, 0]
        out += u32(8)
        for (n, ifd) in ifds.enumerated() {
            let sorted = ifd.sorted { $0.tag < $1.tag }
            out += u16(UInt16(sorted.count))
            for var e in sorted {
                if n == 0, e.tag == 0x8769 { e.value = u32(UInt32(offsets[1])) }
                if n == 0, e.tag == 0x8825 { e.value = u32(UInt32(offsets[exif.isEmpty ? 1 : 2])) }
                out += u16(e.tag) + u16(e.format) + u32(e.count)
                if e.value.count <= 4 {
                    out += e.value + Array(repeating: 0, count: 4 - e.value.count)
                } else {
                    out += u32(UInt32(dataStart + data.count))
                    if n == 1, !exif.isEmpty { positions[e.tag] = dataStart + data.count }
                    data += e.value
                    if data.count % 2 == 1 { data.append(0) }
                }
            }
            out += u32(0)
        }
        return (out + data, positions)
    }

    // MARK: containers

    /// A minimal JPEG: SOI, APP1 Exif, SOF0 (width x height), SOS, EOI. Enough for the header readers.
    static func jpeg(exif tiff: [UInt8]?, width: Int = 16, height: Int = 8) -> [UInt8] {
        var out: [UInt8] = [0xFF, 0xD8]
        if let tiff {
            let payload = [0x45, 0x78, 0x69, 0x66, 0, 0] + tiff
            out += [0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        }
        out += [0xFF, 0xC0, 0, 11, 8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), 1, 1, 0x11, 0]
        out += [0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0xFF, 0xD9]
        return out
    }

    /// A PNG: signature, IHDR, optional eXIf, IEND (with correct CRCs).
    static func png(exif tiff: [UInt8]?, width: UInt32 = 3, height: UInt32 = 2) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be(UInt32(data.count)) + body + be(crc32(body))
        }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out += chunk("IHDR", be(width) + be(height) + [8, 2, 0, 0, 0])
        if let tiff { out += chunk("eXIf", tiff) }
        return out + chunk("IEND", [])
    }

    /// A WebP: RIFF, VP8X canvas, optional EXIF chunk.
    static func webp(exif tiff: [UInt8]?, width: UInt32 = 5, height: UInt32 = 4) -> [UInt8] {
        func le(_ v: UInt32, _ n: Int) -> [UInt8] { (0..<n).map { UInt8((v >> (8 * UInt32($0))) & 0xFF) } }
        var body: [UInt8] = Array("WEBP".utf8)
        body += Array("VP8X".utf8) + le(10, 4) + [0x08, 0, 0, 0] + le(width - 1, 3) + le(height - 1, 3)
        if let tiff {
            body += Array("EXIF".utf8) + le(UInt32(tiff.count), 4) + tiff
            if tiff.count % 2 == 1 { body.append(0) }
        }
        return Array("RIFF".utf8) + le(UInt32(body.count), 4) + body
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }
}
