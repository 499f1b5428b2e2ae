import Testing

@testable import ExifKit

/// MakerNote values from synthetic EXIF blocks: each vendor format, both byte orders (of the
/// block and of the MakerNote, which need not agree), the EXIF-wins rule, Canon's footer.
@Suite("MakerNote values")
struct MakerNoteTests {
    typealias Entry = TIFFBuilder.Entry

    /// Block and MakerNote byte orders: all four combinations.
    static let orders: [(Bool, Bool)] = [(false, false), (false, true), (true, false), (true, true)]

    func read(_ b: TIFFBuilder) throws -> PhotoMetadata {
        try ExifReader.metadata(from: TIFFBuilder.jpeg(exif: b.build()))
    }

    /// A block with IFD0 Make/Model and an EXIF IFD holding only an FNumber (no ISO, no lens).
    static func camera(_ make: String, _ model: String = "Model", bigEndian: Bool) -> TIFFBuilder {
        var b = TIFFBuilder(bigEndian: bigEndian)
        b.ifd0 = [b.ascii(0x010F, make), b.ascii(0x0110, model)]
        b.exif = [b.rational(0x829D, (28, 10))]
        return b
    }

    /// A Canon binary array (CameraSettings / ShotInfo): `count` int16 values, the first being
    /// the array's byte size, with `values` at their indices.
    static func canonArray(_ m: TIFFBuilder, _ tag: UInt16, count: Int = 40, _ values: [Int: Int16], size: UInt16? = nil) -> Entry {
        var v = [UInt16](repeating: 0, count: count)
        v[0] = size ?? UInt16(2 * count)
        for (i, x) in values { v[i] = UInt16(bitPattern: x) }
        return m.shorts(tag, v)
    }

    // MARK: Canon

    @Test("Canon: CameraISO and LensModel (0x0095), every block/MakerNote byte order", arguments: orders)
    func canon(block: Bool, maker: Bool) throws {
        var b = Self.camera("Canon", "Canon EOS 5D", bigEndian: block)
        let m = TIFFBuilder(bigEndian: maker)
        b.makerNote = { at in
            m.ifdBytes(
                [Self.canonArray(m, 0x0001, [16: 17]), m.ascii(0x0095, "EF50mm f/1.8 II"), m.ascii(0x0006, "IMG:EOS JPEG")], origin: at)
        }
        let meta = try read(b)
        #expect(meta.iso == 100)
        #expect(meta.lensModel == "EF50mm f/1.8 II")
        #expect(meta.make == "Canon" && meta.fNumber == 2.8)
    }

    @Test(
        "Canon ISO: CameraISO code or literal, else BaseISO × AutoISO / 100 (unrounded, as exiftool -n)",
        arguments: [
            (17, 0, 0, 100), (0x4000 | 250, 0, 0, 250), (15, 160, 32, 200), (0, 96, 16, 25 * 2.0.squareRoot()), (15, 0, 32, nil),
            (0x7FFF, 160, 0, 100), (0x4000, 160, 32, 200), (20, 96, 16, 800),
        ] as [(Int, Int16, Int16, Double?)])
    func canonISO(cameraISO: Int, base: Int16, auto: Int16, expected: Double?) throws {
        for big in [false, true] {
            var b = Self.camera("Canon", bigEndian: big)
            b.makerNote = { at in
                b.ifdBytes(
                    [
                        Self.canonArray(b, 0x0001, [16: Int16(truncatingIfNeeded: cameraISO)]),
                        Self.canonArray(b, 0x0004, count: 34, [1: auto, 2: base]),
                    ], origin: at)
            }
            let iso = try read(b).iso
            #expect(
                (iso == nil) == (expected == nil) && abs((iso ?? 0) - (expected ?? 0)) < 1e-9,
                "big-endian \(big): \(String(describing: iso))")
        }
    }

    @Test("Canon arrays whose first value is not their byte size are not read")
    func canonValidation() throws {
        var b = Self.camera("Canon", bigEndian: false)
        b.makerNote = { at in
            b.ifdBytes([Self.canonArray(b, 0x0001, [16: 19], size: 2), Self.canonArray(b, 0x0004, count: 34, [1: 0, 2: 160])], origin: at)
        }
        #expect(try read(b).iso == 100) // ShotInfo's 100 × 100 / 100, not CameraSettings' 400
    }

    @Test("EXIF ISO and LensModel win over the MakerNote")
    func exifWins() throws {
        var b = Self.camera("Canon", bigEndian: true)
        b.exif += [b.short(0x8827, 640), b.ascii(0xA434, "EXIF lens")]
        b.makerNote = { at in b.ifdBytes([Self.canonArray(b, 0x0001, [16: 17]), b.ascii(0x0095, "MakerNote lens")], origin: at) }
        let meta = try read(b)
        #expect(meta.iso == 640 && meta.lensModel == "EXIF lens")
    }

    /// A Canon MakerNote whose value offsets were written for position `origin`, followed by
    /// the 8-byte footer recording `footer` as the original position.
    static func movedCanon(_ m: TIFFBuilder, origin: Int, footer: Int, footerBigEndian: Bool? = nil) -> [UInt8] {
        var f = m
        f.bigEndian = footerBigEndian ?? m.bigEndian
        return m.ifdBytes([Self.canonArray(m, 0x0001, [16: 18]), m.ascii(0x0095, "EF-S 18-55mm")], origin: origin) + f.tiffHeader.prefix(4)
            + f.u32(UInt32(footer))
    }

    @Test("Canon footer: a MakerNote moved by an editor is read at its old offsets' new place", arguments: orders)
    func canonFooter(block: Bool, maker: Bool) throws {
        let m = TIFFBuilder(bigEndian: maker)
        // Moved by 64 bytes, offsets not rewritten: the footer tells.
        var moved = Self.camera("Canon", bigEndian: block)
        moved.makerNote = { at in Self.movedCanon(m, origin: at + 64, footer: at + 64) }
        #expect(try read(moved).iso == 200)
        #expect(try read(moved).lensModel == "EF-S 18-55mm")
        // Offsets rewritten but the footer not (Picasa): the last value ends at the footer,
        // so the footer is ignored.
        var rewritten = Self.camera("Canon", bigEndian: block)
        rewritten.makerNote = { at in Self.movedCanon(m, origin: at, footer: at + 64) }
        #expect(try read(rewritten).iso == 200)
        // A footer in the other byte order is not Canon's footer: offsets used as they are.
        var foreign = Self.camera("Canon", bigEndian: block)
        foreign.makerNote = { at in Self.movedCanon(m, origin: at, footer: at + 64, footerBigEndian: !maker) }
        #expect(try read(foreign).iso == 200)
    }

    // MARK: Nikon

    @Test("Nikon type 3 (own TIFF header): ISO `0 N` is N, a Hi setting is no number", arguments: orders)
    func nikonType3(block: Bool, maker: Bool) throws {
        let m = TIFFBuilder(bigEndian: maker)
        func note(_ iso: [UInt16]) -> (Int) -> [UInt8] {
            { _ in
                Array("Nikon\0".utf8) + [2, 0x10, 0, 0] + m.tiffHeader
                    + m.ifdBytes(
                        [m.rawASCII(0x0001, [0x30, 0x32, 0x31, 0x30]), m.shorts(0x0002, iso), m.ascii(0x0004, "FINE  ")], origin: 8)
            }
        }
        var b = Self.camera("NIKON CORPORATION", "NIKON D70", bigEndian: block)
        b.makerNote = note([0, 400])
        #expect(try read(b).iso == 400)
        b.makerNote = note([1, 3200])
        #expect(try read(b).iso == nil)
    }

    @Test("Nikon headerless MakerNote (early Coolpix) is a bare IFD", arguments: [false, true])
    func nikonHeaderless(bigEndian: Bool) throws {
        var b = Self.camera("NIKON", "E990", bigEndian: bigEndian)
        b.makerNote = { at in b.ifdBytes([b.shorts(0x0002, [0, 100]), b.ascii(0x0003, "COLOR")], origin: at) }
        #expect(try read(b).iso == 100)
        // Nikon type 2 ("Nikon\0\x01") has no ISO tag: its 0x0002 is something else.
        var old = Self.camera("NIKON", "E950", bigEndian: bigEndian)
        old.makerNote = { _ in Array("Nikon\0".utf8) + [1, 0] + old.ifdBytes([old.shorts(0x0002, [0, 100])], origin: 8) }
        #expect(try read(old).iso == nil)
    }

    // MARK: Casio and Kodak

    @Test("Casio type 1 ISO, type 2 ISO (0x3014) and ISO code (0x0014)", arguments: [false, true])
    func casio(bigEndian: Bool) throws {
        var one = Self.camera("CASIO", "QV-3000EX", bigEndian: bigEndian)
        one.makerNote = { at in one.ifdBytes([one.short(0x0001, 2), one.short(0x0014, 64)], origin: at) }
        #expect(try read(one).iso == 64)

        var two = Self.camera("CASIO COMPUTER CO.,LTD.", "EX-Z750", bigEndian: bigEndian)
        two.makerNote = { _ in Array("QVC\0\0\0".utf8) + two.ifdBytes([two.short(0x0014, 4), two.short(0x0002, 3)], origin: 0) }
        #expect(try read(two).iso == 64)
        two.makerNote = { _ in Array("QVC\0\0\0".utf8) + two.ifdBytes([two.short(0x0014, 4), two.short(0x3014, 125)], origin: 0) }
        #expect(try read(two).iso == 125)
    }

    @Test("Kodak binary MakerNotes: KDK INFO (big-endian) and KDK (little-endian) ISO at 0x60", arguments: [false, true])
    func kodak(bigEndian: Bool) throws {
        func note(_ header: String, iso: UInt16, big: Bool, length: Int = 0x70) -> [UInt8] {
            var data = [UInt8](repeating: 0, count: max(length, 0x62))
            data[0x60] = big ? UInt8(iso >> 8) : UInt8(iso & 0xFF)
            data[0x61] = big ? UInt8(iso & 0xFF) : UInt8(iso >> 8)
            return Array(header.utf8) + data.prefix(length)
        }
        var b = Self.camera("EASTMAN KODAK COMPANY", "KODAK DX4900 ZOOM DIGITAL CAMERA", bigEndian: bigEndian)
        b.makerNote = { _ in note("KDK INFO", iso: 108, big: true) }
        #expect(try read(b).iso == 108)
        b.makerNote = { _ in note("KDK\0\0\0\0\0", iso: 260, big: false) }
        #expect(try read(b).iso == 260)
        b.makerNote = { _ in note("KDK INFO", iso: 108, big: true, length: 0x61) } // too short to hold it
        #expect(try read(b).iso == nil)
    }

    @Test("MakerNotes of other makes yield nothing")
    func otherMakes() throws {
        var b = Self.camera("FUJIFILM", bigEndian: false)
        b.makerNote = { at in b.ifdBytes([b.short(0x0014, 64), b.shorts(0x0002, [0, 100]), b.ascii(0x0095, "lens")], origin: at) }
        let meta = try read(b)
        #expect(meta.iso == nil && meta.lensModel == nil)
    }
}
