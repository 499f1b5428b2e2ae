/// Typed readings of a raw tag value, following how exiftool reads the same bytes.
extension ExifRawValue {
    /// Bytes per component for a TIFF format code, nil for unknown formats.
    static func componentSize(_ format: Int) -> Int? {
        switch format {
        case 1, 2, 6, 7: return 1
        case 3, 8: return 2
        case 4, 9, 11: return 4
        case 5, 10, 12: return 8
        default: return nil
        }
    }

    /// The numeric components (at most `limit`), rationals evaluated. A rational with a zero
    /// denominator makes the whole reading nil: its value is undefined, not zero.
    /// Returns nil for non-numeric formats or when no complete component is stored.
    func numbers(limit: Int = 8) -> [Double]? {
        guard format != 2, format != 7, let size = Self.componentSize(format) else { return nil }
        let n = min(components, bytes.count / size, limit)
        guard n > 0 else { return nil }
        var out: [Double] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            let o = i * size
            switch format {
            case 1: out.append(Double(bytes[o]))
            case 6: out.append(Double(Int8(bitPattern: bytes[o])))
            case 3: out.append(Double(u16(o)))
            case 8: out.append(Double(Int16(bitPattern: u16(o))))
            case 4: out.append(Double(u32(o)))
            case 9: out.append(Double(Int32(bitPattern: u32(o))))
            case 5:
                let d = u32(o + 4)
                guard d != 0 else { return nil }
                out.append(Double(u32(o)) / Double(d))
            case 10:
                let d = Int32(bitPattern: u32(o + 4))
                guard d != 0 else { return nil }
                out.append(Double(Int32(bitPattern: u32(o))) / Double(d))
            case 11: out.append(Double(Float(bitPattern: u32(o))))
            case 12: out.append(Double(bitPattern: UInt64(u32(bigEndian ? o : o + 4)) << 32 | UInt64(u32(bigEndian ? o + 4 : o))))
            default: return nil
            }
        }
        guard out.allSatisfy(\.isFinite) else { return nil }
        return out
    }

    /// The first numeric component.
    var number: Double? { numbers(limit: 1)?.first }

    /// The first numeric component when it is an integer that fits `Int`.
    var integer: Int? {
        guard let v = number, v == v.rounded(), abs(v) < 9.0e15 else { return nil }
        return Int(v)
    }

    /// The text of an ASCII/UNDEFINED/BYTE value as exiftool reads a TIFF string: cut at the
    /// first NUL, trailing and leading spaces removed, invalid UTF-8 repaired (U+FFFD).
    var text: String? {
        guard format == 2 || format == 7 || format == 1 else { return nil }
        let stored = bytes.prefix(components)
        return Self.clean(stored.prefix { $0 != 0 })
    }

    /// The EXIF Copyright value: `photographer NUL editor NUL`, read as exiftool does:
    /// the first NUL becomes a newline, the text ends at the second NUL, and an empty editor
    /// part leaves no trailing newline.
    var copyrightText: String? {
        guard format == 2 || format == 7 || format == 1 else { return nil }
        let stored = bytes.prefix(components)
        guard let firstNul = stored.firstIndex(of: 0) else { return Self.clean(stored) }
        let photographer = Self.clean(stored[stored.startIndex..<firstNul])
        let rest = stored[(firstNul + 1)...]
        let editor = Self.clean(rest.prefix { $0 != 0 })
        if editor.isEmpty { return photographer }
        if photographer.isEmpty { return editor }
        return photographer + "\n" + editor
    }

    /// Trims padding (spaces, NULs, other ASCII whitespace) and decodes UTF-8 lossily.
    static func clean<C: Collection>(_ raw: C) -> String where C.Element == UInt8 {
        let isPadding: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        var slice = Array(raw)[...]
        while let f = slice.first, isPadding(f) { slice = slice.dropFirst() }
        while let l = slice.last, isPadding(l) { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }

    private func u16(_ o: Int) -> UInt16 {
        bigEndian ? UInt16(bytes[o]) << 8 | UInt16(bytes[o + 1]) : UInt16(bytes[o + 1]) << 8 | UInt16(bytes[o])
    }

    private func u32(_ o: Int) -> UInt32 {
        let b0 = UInt32(bytes[o])
        let b1 = UInt32(bytes[o + 1])
        let b2 = UInt32(bytes[o + 2])
        let b3 = UInt32(bytes[o + 3])
        return bigEndian ? b0 << 24 | b1 << 16 | b2 << 8 | b3 : b3 << 24 | b2 << 16 | b1 << 8 | b0
    }
}
