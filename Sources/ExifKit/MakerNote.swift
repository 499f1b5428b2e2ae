/// Where the MakerNote (EXIF tag 0x927C) value lies in the TIFF/EXIF block.
struct MakerNoteLocation: Equatable, Sendable {
    /// Offset of the first MakerNote byte from the TIFF header.
    var offset: Int
    /// The MakerNote's size in bytes, as declared by its entry.
    var length: Int
}

/// The values `PhotoMetadata` takes from a camera MakerNote when standard EXIF lacks them.
struct MakerNoteValues: Equatable, Sendable {
    /// The ISO speed the camera states (as exiftool prints it), when it states one.
    var iso: Double?
    /// The lens model the camera states.
    var lensModel: String?
}

/// Reads the few MakerNote values the record needs, for the vendor formats that carry them,
/// following exiftool's MakerNote detection (`Image::ExifTool::MakerNotes::Main`: first match
/// of a header signature or the camera Make, in exiftool's order) and tag tables:
///
/// | Format | Detected by | ISO | Lens model |
/// |---|---|---|---|
/// | Canon | Make `Canon…` | CameraSettings CameraISO, else ShotInfo BaseISO × AutoISO / 100 (exiftool's Composite:ISO) | 0x0095 |
/// | Nikon type 3 | header `Nikon\0\x02` + own TIFF header | 0x0002 (`0 N` → N) | — |
/// | Nikon headerless | Make `NIKON…` | 0x0002 | — |
/// | Casio type 1 | Make `CASIO…` | 0x0014 | — |
/// | Casio type 2 | header `QVC\0` / `DCI\0` | 0x3014, else 0x0014 (an index) | — |
/// | Kodak binary | Make `EASTMAN KODAK…` + header (`KDK`, types 3, 5, 6) | fixed offset | — |
///
/// Everything else (Nikon type 2 `Nikon\0\x01`, Olympus, Pentax, Sony, Fujifilm, Panasonic,
/// Apple, other Kodak types, MakerNotes in IFD0) yields nothing: those MakerNotes either
/// carry no ISO/lens tags exiftool reports under those names, or their values are coded
/// (Pentax ISO indices) — and on the test corpus the EXIF tags are present wherever they do.
///
/// Bounded: all reads go through `ByteReader` over the EXIF block (nothing outside it is
/// read), no directory is followed twice, and no value is allocated beyond the block size.
enum MakerNote {
    /// The recognised MakerNote formats.
    enum Format: Equatable {
        case canon
        case nikonWithHeader
        case nikonHeaderless
        case casio
        case casioType2
        case kodak(KodakLayout)
    }

    /// Everything a vendor reader needs: the block, where the MakerNote is, the camera.
    struct Context {
        /// The whole EXIF block in the block's own byte order.
        var block: ByteReader
        /// The MakerNote's position and declared size in the block.
        var location: MakerNoteLocation
        /// The IFD0 Make (trimmed), or "".
        var make: String
        /// The IFD0 Model (trimmed), or "".
        var model: String

        /// True when the MakerNote starts with `prefix`.
        func starts(with prefix: [UInt8]) -> Bool { block.matches(prefix, at: location.offset) }
    }

    /// Reads the MakerNote at `location` of the TIFF block `tiff`.
    static func read(tiff: [UInt8], at location: MakerNoteLocation, make: String?, model: String?) -> MakerNoteValues {
        guard tiff.count >= 8, tiff[0] == tiff[1], tiff[0] == 0x49 || tiff[0] == 0x4D else { return MakerNoteValues() }
        let block = ByteReader(bytes: tiff, bigEndian: tiff[0] == 0x4D)
        guard location.length > 0, block.contains(location.offset, location.length) else { return MakerNoteValues() }
        let note = Context(block: block, location: location, make: make ?? "", model: model ?? "")
        switch format(of: note) {
        case .canon?: return canon(note)
        case .nikonWithHeader?, .nikonHeaderless?: return nikon(note)
        case .casio?, .casioType2?: return casio(note)
        case .kodak(let layout)?: return kodak(note, layout)
        case nil: return MakerNoteValues()
        }
    }

    /// Which format the MakerNote is, checking exiftool's conditions in exiftool's order
    /// (only the entries that precede ours and could also match are checked).
    static func format(of note: Context) -> Format? {
        let make = note.make
        if note.starts(with: Array("Apple iOS\0".utf8)) { return nil }
        if note.starts(with: Array("Nikon\0".utf8) + [2]) { return .nikonWithHeader }
        if make.hasPrefix("Canon") { return .canon }
        let casioType2 = note.starts(with: Array("QVC\0".utf8)) || note.starts(with: Array("DCI\0".utf8))
        if make.hasPrefix("CASIO"), !casioType2 { return .casio }
        if casioType2 { return .casioType2 }
        if let layout = kodakLayout(note) { return .kodak(layout) }
        if note.starts(with: Array("Nikon\0".utf8) + [1]) { return nil } // type 2: no ISO tag
        if make.uppercased().hasPrefix("NIKON") { return .nikonHeaderless }
        return nil
    }
}
