#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Canon MakerNotes: an IFD at the start of the MakerNote (either byte order), out-of-line
/// values relative to the EXIF TIFF header — unless an editor moved the MakerNote, which
/// Canon's 8-byte footer (`II*\0` / `MM\0*` + the original MakerNote offset) reveals.
extension MakerNote {
    /// Canon MakerNote tags read here.
    enum CanonTag {
        /// CameraSettings: int16s array, first value = its byte size; [16] CameraISO.
        static let cameraSettings: UInt16 = 0x0001
        /// ShotInfo: int16s array, first value = its byte size; [1] AutoISO, [2] BaseISO.
        static let shotInfo: UInt16 = 0x0004
        /// LensModel (ASCII).
        static let lensModel: UInt16 = 0x0095
    }

    /// ISO and lens model from a Canon MakerNote.
    static func canon(_ note: Context) -> MakerNoteValues {
        let location = note.location
        guard
            var ifd = MakerNoteIFD(
                block: note.block, start: location.offset, length: location.length,
                byteOrder: .guess(default: note.block.bigEndian), base: 0)
        else { return MakerNoteValues() }
        ifd.base = canonFooterShift(ifd, location)
        var values = MakerNoteValues()
        if let lens = ifd.value(CanonTag.lensModel), lens.format == 2 || lens.format == 7 {
            values.lensModel = lens.text
        }
        values.iso = canonISO(cameraSettings: canonArray(ifd, CanonTag.cameraSettings), shotInfo: canonArray(ifd, CanonTag.shotInfo))
            .flatMap(plausibleISO)
        return values
    }

    /// The first (up to 64) values of a Canon binary array tag (read as int16s whatever the
    /// entry's format, as exiftool's binary tables do), or nil when its first value is not the
    /// array's byte size (exiftool's `Canon::Validate`: such a block is not what the table
    /// describes).
    static func canonArray(_ ifd: MakerNoteIFD, _ tag: UInt16) -> [Int16]? {
        guard let e = ifd.entry(tag), let (offset, size) = ifd.valueRange(e), size >= 2,
            ifd.reader.u16(offset).map(Int.init) == size
        else { return nil }
        return (0..<min(size / 2, 64)).map { ifd.reader.i16(offset + 2 * $0) ?? 0 }
    }

    /// exiftool's Composite:ISO for Canon (its -n value): CameraISO when it is a number,
    /// else BaseISO × AutoISO / 100 from ShotInfo.
    static func canonISO(cameraSettings: [Int16]?, shotInfo: [Int16]?) -> Double? {
        if let settings = cameraSettings, settings.count > 16, let iso = canonCameraISO(settings[16]), iso != 0 {
            return Double(iso)
        }
        guard let shot = shotInfo, shot.count > 2, shot[2] != 0 else { return nil }
        let autoISO = 100 * Self.exp2(Double(shot[1]) / 32)
        let baseISO = 100 * Self.exp2(Double(shot[2]) / 32) / 32
        return baseISO * autoISO / 100
    }

    /// CameraSettings[16] as a number: 0x4000 flags a literal ISO in the low 14 bits; codes
    /// 16–20 are ISO 50–800; the others (0 n/a, 14/15 Auto, 0x7FFF unset) are not numbers.
    static func canonCameraISO(_ raw: Int16) -> Int? {
        let bits = UInt16(bitPattern: raw)
        if bits == 0x7FFF { return nil }
        if bits & 0x4000 != 0 { return Int(bits & 0x3FFF) }
        switch raw {
        case 16: return 50
        case 17: return 100
        case 18: return 200
        case 19: return 400
        case 20: return 800
        default: return nil
        }
    }

    /// How far Canon's footer says the MakerNote moved (the base to add to its value
    /// offsets), or 0. As exiftool (`MakerNotes::FixBase`): the footer must be in the
    /// MakerNote's byte order; it is ignored when the last value already ends exactly at
    /// the footer (editors such as Picasa move the values without updating the footer).
    static func canonFooterShift(_ ifd: MakerNoteIFD, _ location: MakerNoteLocation) -> Int {
        guard location.length > 8 else { return 0 }
        let footer = location.offset + location.length - 8
        let mark: [UInt8] = ifd.reader.bigEndian ? [0x4D, 0x4D, 0, 0x2A] : [0x49, 0x49, 0x2A, 0]
        guard ifd.reader.matches(mark, at: footer), let original = ifd.reader.u32(footer + 4) else { return 0 }
        let shift = location.offset - Int(original)
        guard shift != 0 else { return 0 }
        // The value block with the highest offset (the longest one at that offset).
        var last: (offset: Int, size: Int)?
        for i in 0..<ifd.entryCount {
            let e = ifd.entry(at: i)
            guard (1...13).contains(e.format) else { break }
            let size = e.count * (ExifRawValue.componentSize(e.format) ?? 4)
            guard size > 4, let pointer = ifd.reader.u32(e.position + 8).map(Int.init) else { continue }
            if last == nil || pointer > last!.offset || (pointer == last!.offset && size > last!.size) {
                last = (pointer, size)
            }
        }
        guard let last else { return 0 }
        let endGap = location.offset + location.length - (last.offset + last.size) - 8
        return endGap == 0 || endGap == 1 ? 0 : shift
    }

    /// 2^x without Foundation.
    static func exp2(_ x: Double) -> Double {
        #if canImport(Glibc)
            return Glibc.exp2(x)
        #else
            return Darwin.exp2(x)
        #endif
    }

    /// An ISO value as exiftool -n gives it (Canon's composite is not a whole number, e.g.
    /// 64.84), when it is a plausible speed.
    static func plausibleISO(_ value: Double) -> Double? {
        guard value.isFinite, value >= 0, value < 1e9 else { return nil }
        return value
    }
}
