/// Casio MakerNotes. Type 1 (older QV models, Make `CASIO…`) is a bare IFD whose tag 0x0014
/// is the ISO speed. Type 2 (`QVC\0` or `DCI\0`, then the IFD at offset 6) has the ISO
/// speed in 0x3014 and, on older models, an ISO *code* in 0x0014 (3, 4, 6, 9 = ISO 50,
/// 64, 100, 200 — exiftool's -n output is the code, its printed value the speed; the speed
/// is what the record holds). Both are read in either byte order.
extension MakerNote {
    /// ISO from a Casio type 1 or type 2 MakerNote.
    static func casio(_ note: Context) -> MakerNoteValues {
        let location = note.location
        let type2 = note.starts(with: Array("QVC\0".utf8)) || note.starts(with: Array("DCI\0".utf8))
        let skip = type2 ? 6 : 0
        guard
            let ifd = MakerNoteIFD(
                block: note.block, start: location.offset + skip, length: location.length - skip,
                byteOrder: .guess(default: note.block.bigEndian), base: 0)
        else { return MakerNoteValues() }
        var values = MakerNoteValues()
        if !type2 {
            values.iso = ifd.value(0x0014)?.number.flatMap(plausibleISO)
        } else if let iso = ifd.value(0x3014)?.number.flatMap(plausibleISO) {
            values.iso = iso
        } else if let code = ifd.value(0x0014)?.integer {
            values.iso = [3: 50, 4: 64, 6: 100, 9: 200][code].map(Double.init)
        }
        return values
    }
}
