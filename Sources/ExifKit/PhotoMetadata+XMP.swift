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
    }
}
