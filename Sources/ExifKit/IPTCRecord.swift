/// The IPTC-NAA record of a JPEG (APP13 `Photoshop 3.0` image resource 0x0404), read only for
/// the capture date and time (datasets 2:55 DateCreated and 2:60 TimeCreated).
///
/// Both walks (Photoshop image resources, then IPTC datasets) are bounds-checked and linear;
/// extended-length datasets (high bit set in the size) end the walk.
struct IPTCRecord {
    /// The IPTC-NAA bytes.
    let bytes: ArraySlice<UInt8>

    /// `Photoshop 3.0\0`, the APP13 identifier.
    static let photoshopSignature: [UInt8] = Array("Photoshop 3.0".utf8) + [0]

    /// The IPTC-NAA resource (0x0404) inside an APP13 payload that starts with the signature.
    init?(app13 payload: ArraySlice<UInt8>) {
        guard payload.starts(with: Self.photoshopSignature) else { return nil }
        var i = payload.startIndex + Self.photoshopSignature.count
        let end = payload.endIndex
        while i + 7 <= end {
            // "8BIM", id (2), Pascal name padded to even length, size (4), data padded to even.
            guard payload[i..<(i + 4)].elementsEqual("8BIM".utf8) else { return nil }
            let id = Int(payload[i + 4]) << 8 | Int(payload[i + 5])
            var p = i + 6
            let nameLength = Int(payload[p])
            p += 1 + nameLength
            if (1 + nameLength) % 2 == 1 { p += 1 }
            guard p + 4 <= end else { return nil }
            let size = Int(payload[p]) << 24 | Int(payload[p + 1]) << 16 | Int(payload[p + 2]) << 8 | Int(payload[p + 3])
            p += 4
            guard size <= end - p else { return nil }
            if id == 0x0404 {
                bytes = payload[p..<(p + size)]
                return
            }
            i = p + size + (size % 2)
        }
        return nil
    }

    /// The first value of dataset `record:dataset`.
    func dataset(_ record: UInt8, _ dataset: UInt8) -> ArraySlice<UInt8>? {
        var i = bytes.startIndex
        while i + 5 <= bytes.endIndex, bytes[i] == 0x1C {
            let size = Int(bytes[i + 3]) << 8 | Int(bytes[i + 4])
            guard size & 0x8000 == 0, size <= bytes.endIndex - (i + 5) else { return nil }
            if bytes[i + 1] == record, bytes[i + 2] == dataset { return bytes[(i + 5)..<(i + 5 + size)] }
            i += 5 + size
        }
        return nil
    }

    /// `YYYY-MM-DDTHH:MM:SS[±HH:MM]` from DateCreated (`CCYYMMDD`) and TimeCreated
    /// (`HHMMSS` or `HHMMSS±HHMM`); nil unless both are present and well formed — the same
    /// pair exiftool joins into its composite DateTimeOriginal.
    var dateTimeCreated: String? {
        guard let d = dataset(2, 55).map(Array.init), let t = dataset(2, 60).map(Array.init),
            d.count == 8, d.allSatisfy(Self.isDigit),
            t.count == 6 || t.count == 11, t.prefix(6).allSatisfy(Self.isDigit)
        else { return nil }
        func s(_ b: ArraySlice<UInt8>) -> String { String(decoding: b, as: UTF8.self) }
        var text = "\(s(d[0..<4]))-\(s(d[4..<6]))-\(s(d[6..<8]))T\(s(t[0..<2])):\(s(t[2..<4])):\(s(t[4..<6]))"
        if t.count == 11 {
            guard t[6] == 0x2B || t[6] == 0x2D, t[7...].allSatisfy(Self.isDigit) else { return nil }
            text += "\(s(t[6..<9])):\(s(t[9..<11]))"
        }
        return text
    }

    private static func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }
}
