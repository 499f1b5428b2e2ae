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
        ("mutual sub-IFD loop", header + le16(3) + entry(0x010F, 2, 4, 0x0041_4141) + entry(0x8769, 4, 1, 50) + entry(0x8825, 4, 1, 68) + le32(0)
            + le16(1) + entry(0x8825, 4, 1, 68) + le32(0) + le16(1) + entry(0x8769, 4, 1, 50) + le32(0)),
        // A string claiming 4 G components at an offset past the end.
        ("huge count", header + le16(2) + entry(0x010F, 2, 0x7FFF_FFFF, 0x10) + entry(0x0110, 2, -1 & 0xFFFF_FFFF, 0xFFFF_FFF0) + le32(0)),
        // 65535 entries declared, only one present.
        ("huge entry count", header + le16(0xFFFF) + entry(0x010F, 2, 4, 0x0041_4141)),
        // IFD0 offset past the end of the block.
        ("IFD offset out of range", [0x49, 0x49, 0x2A, 0] + le32(0x7FFF_FFF0) + [0, 0, 0, 0]),
        // Rational GPS latitude with a zero denominator and an offset past the end.
        ("GPS garbage", header + le16(1) + entry(0x8825, 4, 1, 26) + le32(0)
            + le16(2) + entry(0x0001, 2, 2, 0x53) + entry(0x0002, 5, 3, 0xFFFF) + le32(0)),
        // Truncated in the middle of the first entry.
        ("truncated", header + le16(4) + [0x0F, 0x01, 0x02]),
        // Just a header.
        ("header only", header),
        // 5400 entries (a full 64 KiB block) whose Exif, GPS and Interop pointers all point
        // back at IFD0, and whose next-IFD link is IFD0 again.
        ("thousands of self-referencing entries", {
            var ifd = le16(5400) + entry(0x8769, 4, 1, 8) + entry(0x8825, 4, 1, 8) + entry(0xA005, 4, 1, 8)
            for i in 3..<5400 { ifd += entry(0x1000 + i, 2, 4, 0x0041_4141) }
            return Array((header + ifd + le32(8)).prefix(65000))
        }()),
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

    @Test("hostile container framing (lengths past the end, endless fill bytes)")
    func hostileFraming() throws {
        let cases: [[UInt8]] = [
            [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF] + Array(ImageContainer.exifPrefix),   // APP1 longer than file
            [0xFF, 0xD8] + Array(repeating: 0xFF, count: 10_000),                       // fill bytes only
            [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01],                                       // length < 2
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0xFF, 0xFF, 0xFF, 0xF0] + Array("eXIf".utf8),
            Array("RIFF".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + Array("WEBPEXIF".utf8) + [0xF0, 0xFF, 0xFF, 0xFF],
            Array("RIFF".utf8) + [4, 0, 0, 0] + Array("WEBP".utf8),
        ]
        for bytes in cases {
            let m = try ExifReader.metadata(from: bytes)
            #expect(m.make == nil)
        }
    }

    @Test("every file in testdata/corrupt gives a record or an ExifError",
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

    @Test("known corrupt files: empty is an error, a huge eXIf length is skipped, header size kept",
          .enabled(if: TestData.available, "needs ../shared/testdata"))
    func corruptSpecifics() throws {
        #expect { try ExifReader.metadata(from: TestData.bytes("corrupt/empty.jpg")) } throws: { ($0 as? ExifError)?.code == .empty }
        let png = try ExifReader.extract(from: TestData.bytes("corrupt/libpng_huge_eXIf_chunk.png"))
        #expect(!png.hasExif)
        let sof = try ExifReader.metadata(from: TestData.bytes("corrupt/made_sof_60000x60000.jpg"))
        #expect(sof.width == 60000 && sof.height == 60000)
    }
}
