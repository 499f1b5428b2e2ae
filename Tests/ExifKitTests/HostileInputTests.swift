import ContainerKit
import Foundation
import Testing

@testable import ExifKit

/// Hand-made hostile EXIF (loops, bad offsets, huge counts) and every file of
/// `testdata/corrupt/`: each gives a record or a clear `ExifError`, never a crash or hang.
@Suite("Hostile and corrupt input")
struct HostileInputTests {
    /// Little-endian TIFF helpers for hand-made blocks.
    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16((v >> 16) & 0xFFFF) }
    static func entry(_ tag: Int, _ format: Int, _ count: Int, _ value: Int) -> [UInt8] {
        le16(tag) + le16(format) + le32(count) + le32(value)
    }
    static let header: [UInt8] = [0x49, 0x49, 0x2A, 0, 8, 0, 0, 0]

    /// Blocks that attack the IFD walker.
    static let hostileBlocks: [(String, [UInt8])] = [
        // IFD0 -> next IFD = IFD0 (cycle through the IFD chain).
        ("IFD chain loop", header + le16(1) + entry(0x010F, 2, 4, 0x0041_4141) + le32(8)),
        // IFD0's ExifIFD pointer points back at IFD0 (cycle through sub-IFDs).
        ("sub-IFD loop", header + le16(2) + entry(0x010F, 2, 4, 0x0041_4141) + entry(0x8769, 4, 1, 8) + le32(0)),
        // Exif and GPS IFD pointing at each other.
        (
            "mutual sub-IFD loop",
            header + le16(3) + entry(0x010F, 2, 4, 0x0041_4141) + entry(0x8769, 4, 1, 50) + entry(0x8825, 4, 1, 68) + le32(0)
                + le16(1) + entry(0x8825, 4, 1, 68) + le32(0) + le16(1) + entry(0x8769, 4, 1, 50) + le32(0)
        ),
        // A string claiming 4 G components at an offset past the end.
        ("huge count", header + le16(2) + entry(0x010F, 2, 0x7FFF_FFFF, 0x10) + entry(0x0110, 2, -1 & 0xFFFF_FFFF, 0xFFFF_FFF0) + le32(0)),
        // 65535 entries declared, only one present.
        ("huge entry count", header + le16(0xFFFF) + entry(0x010F, 2, 4, 0x0041_4141)),
        // IFD0 offset past the end of the block.
        ("IFD offset out of range", [0x49, 0x49, 0x2A, 0] + le32(0x7FFF_FFF0) + [0, 0, 0, 0]),
        // Rational GPS latitude with a zero denominator and an offset past the end.
        (
            "GPS garbage",
            header + le16(1) + entry(0x8825, 4, 1, 26) + le32(0)
                + le16(2) + entry(0x0001, 2, 2, 0x53) + entry(0x0002, 5, 3, 0xFFFF) + le32(0)
        ),
        // Truncated in the middle of the first entry.
        ("truncated", header + le16(4) + [0x0F, 0x01, 0x02]),
        // Just a header.
        ("header only", header),
        // 5400 entries (a full 64 KiB block) whose Exif, GPS and Interop pointers all point
        // back at IFD0, and whose next-IFD link is IFD0 again.
        (
            "thousands of self-referencing entries",
            {
                var ifd = le16(5400) + entry(0x8769, 4, 1, 8) + entry(0x8825, 4, 1, 8) + entry(0xA005, 4, 1, 8)
                for i in 3..<5400 { ifd += entry(0x1000 + i, 2, 4, 0x0041_4141) }
                return Array((header + ifd + le32(8)).prefix(65000))
            }()
        ),
    ]

    @Test("hand-made hostile blocks give a record, in every container", arguments: hostileBlocks.map(\.0))
    func hostile(name: String) throws {
        let block = try #require(Self.hostileBlocks.first { $0.0 == name }?.1)
        for bytes in [block, TIFFBuilder.jpeg(exif: block), TIFFBuilder.png(exif: block), TIFFBuilder.webp(exif: block)] {
            let m = try ExifReader.metadata(from: bytes)
            _ = m.jsonString()
        }
    }

    @Test("what is readable in a looping block is still read")
    func loopKeepsReadableTags() throws {
        let block = try #require(Self.hostileBlocks.first { $0.0 == "sub-IFD loop" }?.1)
        #expect(try ExifReader.metadata(from: block).make == "AAA")
    }

    @Test("a directory whose entry table runs past the block, or leaves 1 or 3 stray bytes, is dropped as exiftool drops it")
    func truncatedDirectories() throws {
        func read(_ block: [UInt8]) throws -> PhotoMetadata { try ExifReader.metadata(from: TIFFBuilder.jpeg(exif: block)) }
        let make = Self.entry(0x010F, 2, 4, 0x0041_4141)
        // IFD0 declares 32 entries, the block ends after 2 (edge/hopper_bad_exif.jpg in small).
        let ifd0 = try read(Self.header + Self.le16(32) + Self.entry(0x0112, 3, 1, 6) + make)
        #expect(ifd0.orientation == nil && ifd0.make == nil)
        // The Exif IFD declares 40 entries, holds 1: IFD0 stays, the Exif IFD goes.
        let exif = try read(
            Self.header + Self.le16(2) + make + Self.entry(0x8769, 4, 1, 38) + Self.le32(0) + Self.le16(40) + Self.entry(0x8827, 3, 1, 200))
        #expect(exif.make == "AAA" && exif.iso == nil)
        // Exif and GPS pointers both at one truncated IFD: both are dropped.
        let shared = try read(
            Self.header + Self.le16(3) + make + Self.entry(0x8769, 4, 1, 50) + Self.entry(0x8825, 4, 1, 50) + Self.le32(0)
                + Self.le16(40) + Self.entry(0x8827, 3, 1, 200) + Self.entry(0x0006, 3, 1, 100))
        #expect(shared.make == "AAA" && shared.iso == nil && shared.gps == nil)
        // IFD1 (the next-IFD link) truncated: the link is cut, IFD0 stays.
        let ifd1 = try read(Self.header + Self.le16(1) + make + Self.le32(26) + Self.le16(10) + [1, 2])
        #expect(ifd1.make == "AAA")
        // What may follow an entry table: nothing, 2 bytes, or a next-IFD link (4+).
        for (tail, kept) in [(0, true), (1, false), (2, true), (3, false), (4, true), (9, true)] {
            let m = try read(Self.header + Self.le16(1) + make + [UInt8](repeating: 0, count: tail))
            #expect((m.make == "AAA") == kept, "\(tail) bytes after the table")
            #expect(ExifBlockSanitizer.isTruncated(ifd: 8, entries: 1, length: 8 + 14 + tail) == !kept)
        }
    }

    /// EXIF blocks whose MakerNote attacks the vendor readers (bad counts and offsets,
    /// self-references, truncation, huge sizes), for makes that select each reader.
    static func hostileMakerNotes() -> [(String, TIFFBuilder)] {
        var cases: [(String, TIFFBuilder)] = []
        func add(_ name: String, make: String, bigEndian: Bool = false, _ note: @escaping (TIFFBuilder, Int) -> [UInt8]) {
            var b = TIFFBuilder(bigEndian: bigEndian)
            b.ifd0 = [b.ascii(0x010F, make)]
            b.exif = [b.rational(0x829D, (28, 10))]
            let copy = b
            b.makerNote = { at in note(copy, at) }
            cases.append((name, b))
        }
        for big in [false, true] {
            add("Canon entry count past the block", make: "Canon", bigEndian: big) { b, _ in
                b.u16(0xFFFF) + [UInt8](repeating: 7, count: 30)
            }
            add("Canon values past the block", make: "Canon", bigEndian: big) { b, _ in
                b.u16(2) + b.u16(0x0001) + b.u16(3) + b.u32(0x7FFF_FFFF) + b.u32(0xFFFF_FFF0)
                    + b.u16(0x0095) + b.u16(2) + b.u32(40) + b.u32(0x7FFF_FFFF) + b.u32(0)
            }
            add("Canon arrays pointing at the MakerNote itself", make: "Canon", bigEndian: big) { b, at in
                b.u16(2) + b.u16(0x0001) + b.u16(3) + b.u32(20) + b.u32(UInt32(at))
                    + b.u16(0x0004) + b.u16(3) + b.u32(1) + b.u32(UInt32(at)) + b.u32(UInt32(at)) + [UInt8](repeating: 0, count: 20)
            }
            add("Canon footer claiming a huge move", make: "Canon", bigEndian: big) { b, at in
                b.ifdBytes([MakerNoteTests.canonArray(b, 0x0001, [16: 17])], origin: at) + [0, 0, 0, 0] + b.tiffHeader.prefix(4)
                    + b.u32(0xFFFF_FFF0)
            }
            add("Canon MakerNote of 6 bytes", make: "Canon", bigEndian: big) { b, _ in b.u16(1) + b.u16(0x0095) + b.u16(2) }
            add("Nikon header cut short", make: "NIKON CORPORATION", bigEndian: big) { _, _ in
                Array("Nikon\0".utf8) + [2, 0x10, 0, 0, 0x49, 0x49]
            }
            add("Nikon IFD offsets relative to a header past the block", make: "NIKON", bigEndian: big) { b, _ in
                Array("Nikon\0".utf8) + [2, 0x10, 0, 0] + b.tiffHeader + b.u16(0x4000) + b.u16(2) + b.u16(3) + b.u32(2) + b.u32(0)
            }
            add("Casio type 2 header only", make: "CASIO", bigEndian: big) { _, _ in Array("QVC\0\0\0".utf8) }
            add("Kodak binary too short", make: "EASTMAN KODAK COMPANY", bigEndian: big) { _, _ in Array("KDK INFO".utf8) + [1, 2, 3, 4] }
        }
        // MakerNote entries whose own size or pointer lie past the block.
        for (name, count, pointer) in [
            ("MakerNote past the block", UInt32(100), UInt32(0xFFFF_FF00)), ("MakerNote of 4 GiB", UInt32.max, UInt32(20)),
        ] {
            var b = TIFFBuilder()
            b.ifd0 = [b.ascii(0x010F, "Canon")]
            b.exif = [TIFFBuilder.Entry(tag: 0x927C, format: 7, count: count, value: b.u32(pointer))]
            cases.append((name, b))
        }
        return cases
    }

    @Test("hostile MakerNotes give a record without their values, in every byte order")
    func hostileMakerNote() throws {
        for (name, builder) in Self.hostileMakerNotes() {
            let block = builder.build()
            for bytes in [block, TIFFBuilder.jpeg(exif: block)] {
                let m = try ExifReader.metadata(from: bytes)
                #expect(m.fNumber == 2.8 || name.hasPrefix("MakerNote"), "\(name)")
                #expect(m.iso == nil, "\(name)")
                _ = m.jsonString()
            }
        }
    }

    @Test("a huge XMP packet is read only in part, and its values are cut")
    func hugeXMP() throws {
        // A PNG iTXt XMP packet of about 600 kB: a 300 kB make, then filler, then a model past the read limit.
        let huge = String(repeating: "Ab\u{E9}", count: 100_000)
        let xmp = Array(
            ("<x:xmpmeta><rdf:RDF><rdf:Description tiff:Make='\(huge)'><tiff:Orientation>6</tiff:Orientation>"
                + String(repeating: " ", count: 300_000) + "<tiff:Model>late</tiff:Model></rdf:Description></rdf:RDF></x:xmpmeta>").utf8)
        let text = Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + xmp
        var png = TIFFBuilder.png(exif: nil)
        let body = Array("iTXt".utf8) + text
        let chunk = Self.be32(text.count) + body + Self.be32(Int(TIFFBuilder.crc32(body)))
        png.insert(contentsOf: chunk, at: png.count - 12) // before IEND
        let m = try ExifReader.metadata(from: png)
        let make = try #require(m.make)
        #expect(make.utf8.count <= XMPPacket.maxValueBytes && make.hasPrefix("Ab\u{E9}Ab"))
        #expect(m.model == nil, "a property past the first \(XMPPacket.maxBytes) bytes is not read")
        #expect(XMPPacket(bytes: xmp).bytes.count == XMPPacket.maxBytes)
        // Values within the limits are read whole, in both RDF forms.
        let small = XMPPacket(bytes: Array("<r tiff:Make='\(String(repeating: "m", count: 1000))'><tiff:Model>M</tiff:Model></r>".utf8))
        #expect(small.value("tiff:Make")?.count == 1000 && small.value("tiff:Model") == "M")
    }

    static func be32(_ v: Int) -> [UInt8] { [UInt8((v >> 24) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    @Test("hostile container framing (lengths past the end, endless fill bytes)")
    func hostileFraming() throws {
        let cases: [[UInt8]] = [
            [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF] + Array(TIFFBlock.exifPrefix), // APP1 longer than file
            [0xFF, 0xD8] + Array(repeating: 0xFF, count: 10_000), // fill bytes only
            [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01], // length < 2
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0xFF, 0xFF, 0xFF, 0xF0] + Array("eXIf".utf8),
            Array("RIFF".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + Array("WEBPEXIF".utf8) + [0xF0, 0xFF, 0xFF, 0xFF],
            Array("RIFF".utf8) + [4, 0, 0, 0] + Array("WEBP".utf8),
        ]
        for bytes in cases {
            let m = try ExifReader.metadata(from: bytes)
            #expect(m.make == nil)
        }
    }

    @Test(
        "every file in testdata/corrupt gives a record or an ExifError",
        .enabled(if: TestData.available, "needs ../shared/testdata"), arguments: TestData.corruptFiles)
    func corrupt(file: String) throws {
        let bytes = try TestData.bytes(file)
        do {
            let extraction = try ExifReader.extract(from: bytes)
            _ = extraction.metadata.jsonString()
        } catch {
            #expect(!error.message.isEmpty)
            #expect(bytes.isEmpty || error.code == .unsupportedFormat, "\(file): \(error)")
        }
    }

    @Test(
        "every hostile HEIC/AVIF in testdata/phone/hostile gives a record or an ExifError; truncations keep what fits",
        .enabled(if: TestData.available, "needs ../shared/testdata"))
    func hostileHEIF() throws {
        let files = TestData.files(under: "phone/hostile") { !$0.hasSuffix(".json") }
        #expect(files.count >= 15)
        for file in files {
            let bytes = try TestData.bytes(file)
            do {
                _ = try ExifReader.extract(from: bytes).metadata.jsonString()
            } catch {
                #expect(error.code == .unsupportedFormat, "\(file): \(error)")
            }
        }
        // The first half of an iPhone HEIC: its Exif item lies beyond the cut, the header size stays.
        let half = try ExifReader.extract(from: TestData.bytes("phone/hostile/made_truncated_half_immich_IMG_2682.heic"))
        #expect(half.format == .heic)
        #expect((half.metadata.width, half.metadata.height) == (4032, 3024))
        // An `ftyp` with a 64-bit size claiming 16 EiB is no HEIF file.
        #expect { try ExifReader.extract(from: TestData.bytes("phone/hostile/made_box_size_overflow.heic")) } throws: {
            ($0 as? ExifError)?.code == .unsupportedFormat
        }
    }

    @Test(
        "known corrupt files: empty is an error, a huge eXIf length is skipped, header size kept",
        .enabled(if: TestData.available, "needs ../shared/testdata"))
    func corruptSpecifics() throws {
        #expect { try ExifReader.metadata(from: TestData.bytes("corrupt/empty.jpg")) } throws: { ($0 as? ExifError)?.code == .empty }
        let png = try ExifReader.extract(from: TestData.bytes("corrupt/libpng_huge_eXIf_chunk.png"))
        #expect(!png.hasExif)
        let sof = try ExifReader.metadata(from: TestData.bytes("corrupt/made_sof_60000x60000.jpg"))
        #expect(sof.width == 60000 && sof.height == 60000)
    }
}
