extension PhotoMetadata {
    /// Fills fields that EXIF left empty from the XMP packet's equivalent simple properties.
    /// EXIF always wins; XMP is only a fallback (exiftool reports XMP values when a file has
    /// no EXIF tag of that name). Only unambiguous simple properties are used.
    mutating func fillFromXMP(_ xmp: XMPPacket) {
        if orientation == nil, let text = xmp.value("tiff:Orientation"), let o = Int(text), (1...8).contains(o) {
            orientation = o
        }
        if make == nil { make = xmp.value("tiff:Make") }
        if model == nil { model = xmp.value("tiff:Model") }
        if lensModel == nil { lensModel = xmp.value("exifEX:LensModel") }
        if dateTimeOriginal == nil, let text = xmp.value("exif:DateTimeOriginal") {
            dateTimeOriginal = Self.isoDateTime(xmp: text)
        }
    }

    /// An XMP date `YYYY-MM-DDThh:mm:ss[.s+][Z|±hh:mm]` as `YYYY-MM-DDThh:mm:ss[±hh:mm]`
    /// (fractional seconds dropped, `Z` written `+00:00`). Dates without seconds or
    /// otherwise malformed give nil rather than a guess.
    static func isoDateTime(xmp text: String) -> String? {
        let c = Array(text.utf8)
        guard c.count >= 19, c[4] == 0x2D, c[7] == 0x2D, c[10] == 0x54 else { return nil }
        var exifForm = c
        exifForm[4] = 0x3A
        exifForm[7] = 0x3A
        exifForm[10] = 0x20
        guard var base = isoDateTime(exif: String(decoding: exifForm[0..<19], as: UTF8.self), offset: nil) else { return nil }
        var rest = c[19...]
        if rest.first == 0x2E {
            rest = rest.dropFirst()
            guard rest.first.map({ (0x30...0x39).contains($0) }) == true else { return nil }
            rest = rest.drop { (0x30...0x39).contains($0) }
        }
        if rest.isEmpty { return base }
        if rest.elementsEqual([0x5A]) { return base + "+00:00" }
        let offset = String(decoding: rest, as: UTF8.self)
        guard let withOffset = isoDateTime(exif: "2000:01:01 00:00:00", offset: offset), withOffset.count == 25 else { return nil }
        base += offset
        return base
    }
}
