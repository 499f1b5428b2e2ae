/// The TIFF structure EXIF is stored in, as far as the container walks need it: the header test
/// and the orientation tag. ExifKit reads everything else with libexif.
public enum TIFFBlock {
    /// `Exif\0\0`, the identifier before the TIFF header in JPEG APP1 (and in some PNG/WebP files).
    public static let exifPrefix: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]

    /// True when `b` starts with a TIFF byte-order mark and magic 42.
    public static func isHeader(_ b: ArraySlice<UInt8>) -> Bool {
        guard b.count >= 8 else { return false }
        let s = b.startIndex
        return (b[s] == 0x49 && b[s + 1] == 0x49 && b[s + 2] == 0x2A && b[s + 3] == 0)
            || (b[s] == 0x4D && b[s + 1] == 0x4D && b[s + 2] == 0 && b[s + 3] == 0x2A)
    }

    /// The orientation tag (0x0112, SHORT, count 1) of IFD0, 1...8; nil when absent or invalid.
    /// Tolerates an `Exif\0\0` prefix. Bounds-checked; reads at most 1,000 IFD entries.
    public static func orientation(_ bytes: ArraySlice<UInt8>) -> Int? {
        var base = bytes.startIndex
        if bytes.starts(with: exifPrefix) { base += 6 }
        let end = bytes.endIndex
        guard end - base >= 8 else { return nil }
        let little: Bool
        switch (bytes[base], bytes[base + 1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ offset: Int) -> Int? {
            guard offset >= 0, offset <= end - base - 2 else { return nil }
            let a = Int(bytes[base + offset])
            let b = Int(bytes[base + offset + 1])
            return little ? a | b << 8 : a << 8 | b
        }
        func u32(_ offset: Int) -> Int? {
            guard let lo = u16(little ? offset : offset + 2), let hi = u16(little ? offset + 2 : offset) else { return nil }
            return hi << 16 | lo
        }
        guard u16(2) == 42, let ifd0 = u32(4), let count = u16(ifd0) else { return nil }
        for i in 0..<min(count, 1000) {
            let entry = ifd0 + 2 + 12 * i
            guard let tag = u16(entry) else { return nil }
            guard tag == 0x0112 else { continue }
            // Type SHORT (3), count 1: the value sits in the first two bytes of the value field.
            guard u16(entry + 2) == 3, u32(entry + 4) == 1, let value = u16(entry + 8), (1...8).contains(value) else { return nil }
            return value
        }
        return nil
    }
}
