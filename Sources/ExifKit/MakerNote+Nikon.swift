/// Nikon MakerNotes. Type 3 (`Nikon\0\x02` + version, then a complete TIFF header at
/// offset 10 and the IFD at offset 18) resolves value offsets from its own TIFF header;
/// the headerless type of early Coolpix models is a bare IFD. Both use the main Nikon tag
/// table, whose tag 0x0002 is the ISO the camera used, stored as two int16u `flag ISO`:
/// flag 0 is a plain ISO (exiftool prints `0 200` as `200`), flag 1 a "Hi" setting, which
/// is not a number and is left out.
extension MakerNote {
    /// Nikon ISO tag (main table).
    static let nikonISOTag: UInt16 = 0x0002

    /// ISO from a Nikon type 3 or headerless MakerNote.
    static func nikon(_ note: Context) -> MakerNoteValues {
        let location = note.location
        let withHeader = note.starts(with: Array("Nikon\0".utf8) + [2])
        let skip = withHeader ? 18 : 0
        guard
            let ifd = MakerNoteIFD(
                block: note.block, start: location.offset + skip, length: location.length - skip,
                byteOrder: .guess(default: note.block.bigEndian),
                base: withHeader ? location.offset + 10 : 0)
        else { return MakerNoteValues() }
        var values = MakerNoteValues()
        if let raw = ifd.value(nikonISOTag), raw.format != 7, let parts = raw.numbers(limit: 2) {
            if parts.count == 1 {
                values.iso = plausibleISO(parts[0])
            } else if parts[0] == 0 {
                values.iso = plausibleISO(parts[1])
            }
        }
        return values
    }
}
