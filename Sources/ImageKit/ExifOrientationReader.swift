/// Reads only the orientation tag (0x0112) from an EXIF/TIFF block.
///
/// A deliberately tiny, bounds-checked reader: ExifKit reads the full metadata, but
/// decoding must not depend on it, and this runs on every image before any pixel is decoded.
enum ExifOrientationReader {
    /// The orientation in a TIFF structure (`II*\0` or `MM\0*`), with or without the
    /// `Exif\0\0` prefix used in JPEG APP1 and some WebP files. `nil` when absent or invalid.
    static func orientation(tiff bytes: ArraySlice<UInt8>) -> Orientation? {
        var base = bytes.startIndex
        if bytes.count >= 6, bytes[base..<(base + 6)].elementsEqual([0x45, 0x78, 0x69, 0x66, 0, 0]) { base += 6 }
        let end = bytes.endIndex
        guard end - base >= 8 else { return nil }
        let little: Bool
        switch (bytes[base], bytes[base + 1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ offset: Int) -> Int? {
            let i = base + offset
            guard offset >= 0, i + 2 <= end else { return nil }
            let a = Int(bytes[i])
            let b = Int(bytes[i + 1])
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
            guard u16(entry + 2) == 3, u32(entry + 4) == 1, let value = u16(entry + 8) else { return nil }
            return Orientation(rawValue: value)
        }
        return nil
    }
}
