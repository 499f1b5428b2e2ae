/// Kodak MakerNotes: most Kodak types are fixed binary layouts, told apart by Make, Model and
/// header bytes (exiftool's MakerNoteKodak1a … 6b, in its order). The layouts that carry an
/// ISO speed give its position; the others (types 2, 4, and the IFD-based types 8–12,
/// which exiftool does not decode an ISO from either) end the search with no value.
extension MakerNote {
    /// A Kodak binary layout: where its data starts in the MakerNote, its byte order and
    /// where the int16u ISO is from that start (nil: this type has none).
    struct KodakLayout: Equatable {
        var start: Int
        var bigEndian: Bool
        var isoOffset: Int?
    }

    /// The Kodak layout of the MakerNote, nil when it is not a Kodak binary type.
    static func kodakLayout(_ note: Context) -> KodakLayout? {
        let upper = note.make.hasPrefix("EASTMAN KODAK")
        let at = note.location.offset
        let block = note.block
        if upper, note.starts(with: Array("KDK INFO".utf8)) { return KodakLayout(start: 8, bigEndian: true, isoOffset: 0x60) }
        if upper, note.starts(with: Array("KDK".utf8)) { return KodakLayout(start: 8, bigEndian: false, isoOffset: 0x60) }
        // Type 2 (also used by HP, Pentax and Minolta models): no ISO.
        if block.matches(Array("Eastman Kodak".utf8), at: at + 8) { return KodakLayout(start: 0, bigEndian: true, isoOffset: nil) }
        if let h = block.slice(at, 12), h[at] == 1, h[at + 1] == 0, h[at + 2] <= 1, h[at + 3] == 0, h[at + 4] == 0, h[at + 5] == 0,
            h[at + 6] == 4, h[at + 7] == 0,
            h[(at + 8)...].allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
        {
            return KodakLayout(start: 0, bigEndian: true, isoOffset: nil)
        }
        let tiffLike = note.starts(with: [0x4D, 0x4D]) || note.starts(with: [0x49, 0x49]) || note.starts(with: Array("AOC".utf8))
        if upper, !tiffLike, block.u8(at + 12) == 0x07 { return KodakLayout(start: 0, bigEndian: true, isoOffset: 0x4E) }
        if note.make.hasPrefix("Eastman Kodak"), !tiffLike, block.matches(Array("JPG".utf8), at: at + 41) {
            return KodakLayout(start: 0, bigEndian: true, isoOffset: nil)
        }
        if upper {
            let cx = ["CX4200", "CX4230", "CX4300", "CX4310", "CX6200", "CX6230"].contains { note.model.contains($0) }
            let header = [[0x1A, 0x18], [0x3A, 0x08], [0x59, 0xF8], [0x14, 0x80]].contains { mid in
                block.matches([0] + mid + [0], at: at)
            }
            if cx || header { return KodakLayout(start: 0, bigEndian: true, isoOffset: 0x1E) }
            if note.model.contains("DX3215") { return KodakLayout(start: 0, bigEndian: true, isoOffset: 0x1A) }
            if note.model.contains("DX3700") { return KodakLayout(start: 0, bigEndian: false, isoOffset: 0x1A) }
        }
        return nil
    }

    /// ISO from a Kodak binary MakerNote: the int16u at the layout's offset, when the
    /// MakerNote is long enough to hold it.
    static func kodak(_ note: Context, _ layout: KodakLayout) -> MakerNoteValues {
        guard let isoOffset = layout.isoOffset, layout.start + isoOffset + 2 <= note.location.length else { return MakerNoteValues() }
        var reader = note.block
        reader.bigEndian = layout.bigEndian
        return MakerNoteValues(iso: reader.u16(note.location.offset + layout.start + isoOffset).map(Double.init))
    }
}
