/// Canon CIFF metadata (the "heap" format of CRW raw files), which some early Canon
/// PowerShot cameras wrote into a JPEG APP0 segment (`II` or `MM`, header length, `HEAPJPGM`)
/// instead of EXIF. Read for the fields the record needs, as exiftool's CanonRaw module
/// reads them:
///
/// - make and model: 0x080A (`Canon\0` then the model, NUL-terminated);
/// - capture time: 0x180E TimeStamp, a Unix time read as UTC (0 is `0000:00:00 00:00:00`);
/// - focal length: 0x1029 FocalLength[1] / FocalUnits, FocalUnits being CameraSettings
///   (0x102D) [25] when that directory came earlier in the heap, else 1.
///
/// A heap block is `[values…][directory]` with the directory offset in its last 4 bytes; a
/// directory is a 16-bit count of 10-byte entries (tag, size, offset from the block start),
/// values of up to 8 bytes may sit in the entry itself, and types 0x28/0x30 are nested
/// blocks. The walk is bounded: every read is inside the segment, each directory offset is
/// visited once, nesting is capped and so is the total number of entries read.
struct CIFFRecord: Equatable, Sendable {
    /// Camera maker.
    var make: String?
    /// Camera model.
    var model: String?
    /// Capture time, `YYYY:MM:DD HH:MM:SS` (UTC, as exiftool converts it).
    var dateTimeOriginal: String?
    /// Focal length in millimetres.
    var focalLength: Double?

    /// True when the APP0 payload is a CIFF heap (`II`/`MM`, 4 bytes, `HEAPJPGM`).
    static func isCIFF(_ payload: ArraySlice<UInt8>) -> Bool {
        guard payload.count >= 14 else { return false }
        let s = payload.startIndex
        let order = (payload[s], payload[s + 1])
        return (order == (0x49, 0x49) || order == (0x4D, 0x4D)) && payload[(s + 6)..<(s + 14)].elementsEqual(Array("HEAPJPGM".utf8))
    }

    /// Maximum directory nesting followed.
    static let maxDepth = 8
    /// Maximum directory entries read in one heap.
    static let maxEntries = 4096
    /// Bytes of one value looked at (the values read are a few dozen bytes; a longer one is
    /// a model name of over 1 KiB, cut there): with `maxEntries`, at most 4 MiB is copied.
    static let maxValueSize = 1024

    /// An empty record.
    init() {}

    /// Reads the record from an APP0 payload; nil when it is not a CIFF heap.
    init?(app0 payload: ArraySlice<UInt8>) {
        guard Self.isCIFF(payload) else { return nil }
        let reader = ByteReader(bytes: Array(payload), bigEndian: payload[payload.startIndex] == 0x4D)
        guard let headerLength = reader.u32(2).map(Int.init), headerLength <= reader.count else { return nil }
        var walk = Walk(reader: reader)
        walk.block(start: headerLength, length: reader.count - headerLength, depth: 0)
        self = walk.record
    }

    /// The state of one heap walk.
    private struct Walk {
        let reader: ByteReader
        var record = CIFFRecord()
        var visited = Set<Int>()
        var entriesLeft = CIFFRecord.maxEntries
        var focalUnits: Int16?

        /// The tags `found` reads (only their values are copied out).
        static let readTags: Set<UInt16> = [0x080A, 0x180E, 0x102D, 0x1029]

        mutating func block(start: Int, length: Int, depth: Int) {
            guard depth < CIFFRecord.maxDepth, length >= 4, let pointer = reader.u32(start + length - 4) else { return }
            let directory = start + Int(pointer)
            guard visited.insert(directory).inserted, let count = reader.u16(directory).map(Int.init),
                reader.contains(directory + 2, 10 * count)
            else { return }
            for i in 0..<count {
                guard entriesLeft > 0 else { return }
                entriesLeft -= 1
                let e = directory + 2 + 10 * i
                guard let tag = reader.u16(e), let size = reader.u32(e + 2).map(Int.init),
                    let offset = reader.u32(e + 6).map(Int.init)
                else { return }
                if tag & 0x8000 != 0 { return } // exiftool: bad entry, stop here
                let id = tag & 0x3FFF
                let type = (tag >> 8) & 0x38
                let inEntry = tag & 0x4000 != 0
                if (type == 0x28 || type == 0x30) && !inEntry {
                    block(start: start + offset, length: size, depth: depth + 1)
                    continue
                }
                guard Self.readTags.contains(id) else { continue }
                let value: ArraySlice<UInt8>? = inEntry ? reader.slice(e + 2, 8) : reader.slice(start + offset, size)
                if let value { found(id, value.prefix(CIFFRecord.maxValueSize)) }
            }
        }

        /// Records the fields of one value (in heap order, so FocalUnits applies to a
        /// FocalLength that comes after it, as in exiftool).
        mutating func found(_ id: UInt16, _ value: ArraySlice<UInt8>) {
            let v = ByteReader(bytes: Array(value), bigEndian: reader.bigEndian)
            switch id {
            case 0x080A: // MakeModel: string[6] make, then the model to the end
                if let make = v.string(0, maxLength: min(6, v.count)) { record.make = make }
                if v.count > 6, let model = v.string(6, maxLength: v.count - 6) { record.model = model }
            case 0x180E: // TimeStamp: int32u Unix time
                if let seconds = v.u32(0) { record.dateTimeOriginal = CIFFRecord.utcDateTime(Int64(seconds)) }
            case 0x102D: // CameraSettings: int16s, [25] FocalUnits
                if let units = v.i16(50) { focalUnits = units }
            case 0x1029: // FocalLength: int16u, [1] focal length in FocalUnits
                if let raw = v.u16(2), raw != 0 {
                    let units = focalUnits.flatMap { $0 == 0 ? nil : Double($0) } ?? 1
                    record.focalLength = Double(raw) / units
                }
            default: break
            }
        }
    }

    /// A Unix time as `YYYY:MM:DD HH:MM:SS` in UTC (proleptic Gregorian calendar);
    /// 0 is exiftool's "no date", `0000:00:00 00:00:00`.
    static func utcDateTime(_ seconds: Int64) -> String {
        guard seconds != 0 else { return "0000:00:00 00:00:00" }
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        // Civil date from days since 1970-01-01 (era-based conversion, 400-year cycles).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let y = String(year)
        return String(repeating: " ", count: max(0, 4 - y.count)) + y + ":" + two(month) + ":" + two(day) + " "
            + two(secondOfDay / 3600) + ":" + two(secondOfDay / 60 % 60) + ":" + two(secondOfDay % 60)
    }
}
