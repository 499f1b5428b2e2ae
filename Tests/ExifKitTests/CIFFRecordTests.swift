import Testing

@testable import ExifKit

/// Canon CIFF heaps in JPEG APP0: the fields read, their conversions and their priority.
@Suite("CIFF heap in APP0")
struct CIFFRecordTests {
    @Test("make, model, capture time and focal length from nested blocks, both byte orders", arguments: [false, true])
    func fields(bigEndian: Bool) throws {
        let c = CIFFBuilder(bigEndian: bigEndian)
        let heap = c.app0([
            .value(0x0032, [1, 2, 3]),
            .block(
                0x300A,
                [
                    .inEntry(0x1010, c.u16(0)),
                    .block(0x300B, [c.makeModel("Canon", "Canon PowerShot A5"), c.cameraSettings(focalUnits: 32), c.focalLength(1000)]),
                    c.timeStamp(972_687_386),
                ]),
        ])
        let meta = try ExifReader.metadata(from: CIFFBuilder.jpeg(app0: heap))
        #expect(meta.make == "Canon")
        #expect(meta.model == "Canon PowerShot A5")
        #expect(meta.dateTimeOriginal == "2000-10-27T22:56:26")
        #expect(meta.focalLength == 31.25)
        #expect(meta.iso == nil && meta.exposureTime == nil)
        #expect(meta.width == 16 && meta.height == 8)
    }

    @Test("FocalUnits apply only when CameraSettings came earlier in the heap (exiftool's order), 0 counts as 1")
    func focalUnitsOrder() {
        let c = CIFFBuilder()
        #expect(CIFFRecord(app0: c.app0([c.focalLength(1000), c.cameraSettings(focalUnits: 32)])[...])?.focalLength == 1000)
        #expect(CIFFRecord(app0: c.app0([c.cameraSettings(focalUnits: 0), c.focalLength(7)])[...])?.focalLength == 7)
        #expect(CIFFRecord(app0: c.app0([c.cameraSettings(focalUnits: 4), c.focalLength(0)])[...])?.focalLength == nil)
    }

    @Test("EXIF wins over CIFF")
    func exifWins() throws {
        let c = CIFFBuilder()
        var b = TIFFBuilder()
        b.ifd0 = [b.ascii(0x010F, "Exif make")]
        b.exif = [b.rational(0x920A, (50, 1))]
        let meta = try ExifReader.metadata(
            from: CIFFBuilder.jpeg(app0: c.app0([c.makeModel("Canon", "A5"), c.focalLength(5)]), exif: b.build()))
        #expect(meta.make == "Exif make" && meta.model == "A5" && meta.focalLength == 50)
    }

    @Test(
        "Unix times convert to UTC calendar dates as exiftool's ConvertUnixTime does",
        arguments: [
            (0, "0000:00:00 00:00:00"), (1, "1970:01:01 00:00:01"), (86399, "1970:01:01 23:59:59"),
            (951_782_400, "2000:02:29 00:00:00"), (972_687_386, "2000:10:27 22:56:26"), (4_294_967_295, "2106:02:07 06:28:15"),
        ] as [(Int64, String)])
    func unixTime(seconds: Int64, expected: String) {
        #expect(CIFFRecord.utcDateTime(seconds) == expected)
    }

    @Test("not a heap: JFIF APP0 and short or unsigned payloads")
    func notCIFF() {
        #expect(CIFFRecord(app0: Array("JFIF\0\u{1}\u{2}".utf8)[...]) == nil)
        #expect(CIFFRecord(app0: Array("II\u{1a}\0\0\0HEAPJPG".utf8)[...]) == nil)
        #expect(CIFFRecord(app0: Array("IM\u{1a}\0\0\0HEAPJPGM".utf8)[...]) == nil)
    }

    /// Heaps that attack the walker: every one gives a record (or nil), never a crash or hang.
    static func hostileHeaps() -> [(String, [UInt8])] {
        let c = CIFFBuilder()
        let good = c.block([c.makeModel("Canon", "A5")])
        var cases: [(String, [UInt8])] = []
        // The directory offset in the last 4 bytes points past the segment.
        cases.append(("directory past the end", c.header + Array(good.dropLast(4)) + c.u32(0xFFFF_FFF0)))
        // A header length past the segment.
        cases.append(("header length past the end", [0x49, 0x49] + c.u32(0x7FFF_FFFF) + Array("HEAPJPGM".utf8) + good))
        // A nested block that is the root block again (its directory was visited).
        var loop = c.block([.value(0x080A, Array("Canon\0A5\0".utf8))])
        let rootLength = UInt32(loop.count + 10)
        loop =
            Array("Canon\0A5\0".utf8) + c.u16(2) + c.u16(0x080A) + c.u32(9) + c.u32(0)
            + c.u16(0x300A) + c.u32(rootLength) + c.u32(0) + c.u32(9)
        cases.append(("self-referencing block", c.header + loop))
        // 65535 entries declared, a few present.
        cases.append(
            ("huge entry count", c.header + Array("Canon\0A5\0".utf8) + c.u16(0xFFFF) + c.u16(0x080A) + c.u32(9) + c.u32(0) + c.u32(9)))
        // Value size and offset far past the end.
        cases.append(("huge value", c.header + c.u16(1) + c.u16(0x080A) + c.u32(0xFFFF_FFFF) + c.u32(0xFFFF_FFF0) + c.u32(0)))
        // A bad entry (0x8000) ends the directory.
        cases.append(("bad entry", c.header + c.u16(1) + c.u16(0x880A) + c.u32(4) + c.u32(0) + c.u32(0)))
        // Blocks nested 40 deep.
        var deep: [CIFFBuilder.Item] = [c.makeModel("Canon", "deep")]
        for _ in 0..<40 { deep = [.block(0x300A, deep)] }
        cases.append(("deep nesting", c.app0(deep)))
        // Truncated anywhere.
        let full = c.app0([.block(0x300A, [c.makeModel("Canon", "A5"), c.timeStamp(1), c.focalLength(5)])])
        for cut in stride(from: 14, to: full.count, by: 7) { cases.append(("truncated at \(cut)", Array(full.prefix(cut)))) }
        return cases
    }

    @Test("hostile heaps never crash; a repeated directory is read once; nesting is capped")
    func hostile() throws {
        for (name, heap) in Self.hostileHeaps() {
            let record = CIFFRecord(app0: heap[...])
            let meta = try ExifReader.metadata(from: CIFFBuilder.jpeg(app0: heap))
            _ = meta.jsonString()
            if name == "self-referencing block" { #expect(record?.make == "Canon" && record?.model == "A5") }
            if name == "deep nesting" { #expect(record?.model == nil) }
        }
        let c = CIFFBuilder()
        var nested: [CIFFBuilder.Item] = [c.makeModel("Canon", "nested")]
        for _ in 0..<(CIFFRecord.maxDepth - 1) { nested = [.block(0x300A, nested)] }
        #expect(CIFFRecord(app0: c.app0(nested)[...])?.model == "nested")
    }
}
