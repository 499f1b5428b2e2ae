/// Neutralises, in a private copy of a TIFF/EXIF block, the entries that would make libexif
/// discard readable data or do needless risky work, before libexif sees the block:
///
/// - A sub-IFD or thumbnail pointer (ExifIFD 0x8769, GPS 0x8825, Interop 0xA005, thumbnail
///   offset 0x0201 / length 0x0202) whose value lies past the block makes libexif 0.6.24
///   abandon the *rest of that IFD* (`exif_data_load_data_content`: `if (o >= ds) return;`).
///   Such a pointer leads nowhere anyway (exiftool ignores it too), so the entry is renamed
///   to an unused tag and the IFD's other entries are read.
/// - The MakerNote (0x927C) is renamed as well: libexif's vendor MakerNote parsers are its
///   most bug-prone code and cost parse time; the few values the record takes from a
///   MakerNote are read by `MakerNote`, bounded to this block.
/// - A directory whose entry table runs past the end of the block (or leaves 1 or 3 stray
///   bytes) is dropped, with everything reached through it, as exiftool drops it: libexif
///   would otherwise keep the entries that happen to fit, reporting values the file does not
///   reliably state (its count field is evidently wrong).
///
/// It also reports the entries that are present with zero components: libexif drops those
/// (`exif_data_load_data_entry` returns 0 for size 0), but the file does carry the tag with
/// an empty value, and exiftool reports it as "". And it reports where the MakerNote is, for
/// `MakerNote` to read the few vendor values the record needs.
///
/// The walk visits at most the five standard IFDs, each at most once, and only reads inside
/// the block, so it is linear in the block size whatever the input.
enum ExifBlockSanitizer {
    /// The tag given to neutralised entries (unassigned in every IFD).
    static let neutralTag: UInt16 = 0xFFFF
    /// Pointer tags libexif follows.
    static let pointerTags: Set<UInt16> = [0x8769, 0x8825, 0xA005, 0x0201, 0x0202]
    /// libexif caps the APP1 payload it parses ("Exif\0\0" + TIFF) at 0xFFFE bytes.
    static let libexifLimit = 0xFFFE - 6

    /// Key of an entry in `emptyEntries`: directory raw value << 16 | tag.
    static func key(_ tag: UInt16, _ directory: ExifDirectory) -> UInt32 {
        UInt32(directory.rawValue) << 16 | UInt32(tag)
    }

    /// What the walk noticed besides the edits it made.
    struct Findings: Equatable {
        /// Keys (`key(_:_:)`) of entries present with zero components.
        var emptyEntries = Set<UInt32>()
        /// Where the EXIF IFD's MakerNote value is, if it has one.
        var makerNote: MakerNoteLocation?
    }

    /// True when an IFD at `ifd` declaring `entries` entries cannot be read from a block of
    /// `length` bytes, by exiftool's rule (`ProcessExif`): the entry table must end inside
    /// the block, followed by a next-IFD link (4+ bytes), 2 bytes or nothing — 1 or 3 bytes
    /// left mean the count is garbage. exiftool then drops the whole directory ("Bad IFD0
    /// directory") and everything reached through it.
    static func isTruncated(ifd: Int, entries: Int, length: Int) -> Bool {
        let left = length - (ifd + 2 + 12 * entries)
        return left < 0 || left == 1 || left == 3
    }

    /// Sanitises `tiff` in place. `fullLength` is the size of the whole EXIF block (`tiff`
    /// may be the prefix libexif can see); directories are judged against it.
    @discardableResult
    static func sanitize(_ tiff: inout [UInt8], fullLength: Int? = nil) -> Findings {
        var findings = Findings()
        guard tiff.count >= 8 else { return findings }
        let big: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): big = false
        case (0x4D, 0x4D): big = true
        default: return findings
        }
        let size = min(tiff.count, libexifLimit) // what libexif will see
        let length = max(fullLength ?? tiff.count, tiff.count)
        func u16(_ o: Int) -> UInt16 {
            big ? UInt16(tiff[o]) << 8 | UInt16(tiff[o + 1]) : UInt16(tiff[o + 1]) << 8 | UInt16(tiff[o])
        }
        func u32(_ o: Int) -> Int {
            let b = (Int(tiff[o]), Int(tiff[o + 1]), Int(tiff[o + 2]), Int(tiff[o + 3]))
            return big ? b.0 << 24 | b.1 << 16 | b.2 << 8 | b.3 : b.3 << 24 | b.2 << 16 | b.1 << 8 | b.0
        }
        func rename(_ o: Int) {
            tiff[o] = UInt8(neutralTag >> 8)
            tiff[o + 1] = UInt8(neutralTag & 0xFF)
        }
        /// A readable IFD (by exiftool's rule) that libexif can see the count of.
        func readable(_ ifd: Int) -> Bool {
            ifd + 2 <= size && !isTruncated(ifd: ifd, entries: Int(u16(ifd)), length: length)
        }

        // IFD0 itself unreadable: nothing is reachable (libexif then loads nothing either).
        let first = u32(4)
        if first >= 8, first < size, !readable(first) {
            for k in 4..<8 { tiff[k] = 0xFF }
            return findings
        }
        // Each pending IFD with the entry (pointer or link) that led to it.
        var pending: [(offset: Int, directory: ExifDirectory, via: Int?)] = [(first, .ifd0, nil)]
        var visited = Set<Int>()
        while let (ifd, directory, via) = pending.popLast(), visited.count < 5 {
            guard ifd >= 8, ifd + 2 <= size else { continue }
            // Checked before the visited test, so every pointer to a bad IFD is dropped.
            guard readable(ifd) else {
                if let via, directory == .ifd1 {
                    for k in via..<(via + 4) { tiff[k] = 0 } // cut IFD0's next-IFD link
                } else if let via {
                    rename(via) // drop the sub-IFD pointer
                }
                continue
            }
            guard visited.insert(ifd).inserted else { continue }
            let count = min(Int(u16(ifd)), (size - ifd - 2) / 12)
            for i in 0..<count {
                let e = ifd + 2 + 12 * i
                let tag = u16(e)
                if pointerTags.contains(tag) {
                    let value = u32(e + 8)
                    if value >= size {
                        rename(e)
                    } else if tag == 0x8769 {
                        pending.append((value, .exif, e))
                    } else if tag == 0x8825 {
                        pending.append((value, .gps, e))
                    } else if tag == 0xA005 {
                        pending.append((value, .interoperability, e))
                    }
                } else if tag == 0x927C, directory == .exif {
                    if findings.makerNote == nil, let unit = ExifRawValue.componentSize(Int(u16(e + 2))) {
                        let bytes = u32(e + 4) * unit
                        findings.makerNote = MakerNoteLocation(offset: bytes <= 4 ? e + 8 : u32(e + 8), length: bytes)
                    }
                    rename(e)
                } else if u32(e + 4) == 0 {
                    findings.emptyEntries.insert(key(tag, directory))
                }
            }
            // IFD0's next-IFD link is IFD1 (the thumbnail IFD); libexif follows only that one.
            if directory == .ifd0 {
                let next = ifd + 2 + 12 * count
                if count == Int(u16(ifd)), next + 4 <= size { pending.insert((u32(next), .ifd1, next), at: 0) }
            }
        }
        return findings
    }
}
