import ContainerKit
import Foundation
import Testing

@testable import ExifKit

/// Field-by-field mapping from synthetic EXIF blocks: signs, references, rationals, strings.
@Suite("PhotoMetadata mapping")
struct PhotoMetadataMappingTests {
    func read(_ b: TIFFBuilder) throws -> PhotoMetadata {
        try ExifReader.metadata(from: TIFFBuilder.jpeg(exif: b.build()))
    }

    @Test("all fields from a complete block, both byte orders", arguments: [false, true])
    func complete(bigEndian: Bool) throws {
        var b = TIFFBuilder(bigEndian: bigEndian)
        b.ifd0 = [
            b.ascii(0x010F, "Canon  "), b.ascii(0x0110, "EOS 6D"), b.short(0x0112, 6),
            b.ascii(0x0131, "fw 1.0"), b.ascii(0x013B, "Ann"), b.ascii(0x010E, "  a lake  "),
            b.rawASCII(0x8298, Array("Ann".utf8) + [0] + Array("Bob".utf8) + [0]),
        ]
        b.exif = [
            b.rational(0x829A, (1, 250)), b.rational(0x829D, (28, 10)), b.short(0x8827, 400, 800),
            b.ascii(0x9003, "2024:07:01 12:34:56"), b.ascii(0x9011, "-05:30"), b.short(0x9209, 16),
            b.rational(0x920A, (50, 1)), b.short(0xA405, 75), b.ascii(0xA434, "EF50mm f/1.8"),
        ]
        b.gps = [
            b.ascii(0x0001, "S"), b.rational(0x0002, (33, 1), (52, 1), (3036, 100)),
            b.ascii(0x0003, "W"), b.rational(0x0004, (151, 1), (12, 1), (0, 1)),
            b.byte(0x0005, 1), b.rational(0x0006, (125, 10)),
        ]
        let m = try read(b)
        #expect(m.make == "Canon")
        #expect(m.model == "EOS 6D")
        #expect(m.orientation == 6)
        #expect(m.software == "fw 1.0")
        #expect(m.artist == "Ann")
        #expect(m.imageDescription == "a lake")
        #expect(m.copyright == "Ann\nBob")
        #expect(m.exposureTime == 0.004)
        #expect(m.fNumber == 2.8)
        #expect(m.iso == 400)
        #expect(m.dateTimeOriginal == "2024-07-01T12:34:56-05:30")
        #expect(m.flash == 16)
        #expect(m.focalLength == 50)
        #expect(m.focalLength35mm == 75)
        #expect(m.lensModel == "EF50mm f/1.8")
        let gps = try #require(m.gps)
        #expect(abs(gps.latitude! - -(33 + 52.0 / 60 + 30.36 / 3600)) < 1e-12)
        #expect(gps.longitude == -(151 + 12.0 / 60))
        #expect(gps.altitude == -12.5)
        #expect(m.width == 16 && m.height == 8)
    }

    @Test("JSON keeps contract order and omits absent fields")
    func jsonOrder() throws {
        var m = PhotoMetadata()
        m.height = 2
        m.make = "A\"B"
        m.iso = 100
        m.exposureTime = 0.001
        m.gps = .init(latitude: 1.5)
        #expect(m.jsonString() == #"{"make":"A\"B","exposureTime":0.001,"iso":100,"gps":{"latitude":1.5},"height":2}"#)
        #expect(PhotoMetadata().jsonString() == "{}")
        // The Codable form is the same record.
        let decoded = try JSONDecoder().decode(PhotoMetadata.self, from: Data(m.jsonString().utf8))
        #expect(decoded == m)
    }

    @Test("zero denominators, missing references and bad values are omitted, not guessed")
    func undefinedValues() throws {
        var b = TIFFBuilder()
        b.ifd0 = [b.short(0x0112, 9), b.ascii(0x010F, "    ")]
        b.exif = [b.rational(0x829A, (1, 0)), b.rational(0x829D, (0, 0)), b.ascii(0x9003, "    :  :     :  :  ")]
        b.gps = [
            b.rational(0x0002, (10, 1), (0, 1), (0, 1)), // latitude without ref
            b.ascii(0x0003, "E"), b.rational(0x0004, (200, 1), (0, 1), (0, 1)), // |lon| > 180
            b.rational(0x0006, (100, 1)),
        ] // altitude without ref
        let m = try read(b)
        #expect(m.orientation == nil)
        #expect(m.exposureTime == nil)
        #expect(m.fNumber == nil)
        #expect(m.dateTimeOriginal == nil)
        #expect(m.make == "") // present but blank: reported as the empty string, like exiftool
        #expect(m.gps == PhotoMetadata.GPS(altitude: 100))
    }

    @Test("date offsets other than ±HH:MM are ignored", arguments: [("+02:00", "+02:00"), ("Z", ""), ("+2", ""), ("", "")])
    func dateOffset(offset: String, suffix: String) {
        #expect(PhotoMetadata.isoDateTime(exif: "2001:02:03 04:05:06", offset: offset) == "2001-02-03T04:05:06" + suffix)
    }

    @Test("strings: cut at NUL, trimmed, invalid UTF-8 repaired")
    func strings() throws {
        var b = TIFFBuilder()
        b.ifd0 = [
            b.rawASCII(0x010F, Array(" Nik".utf8) + [0xFF, 0x6F, 0, 0x41, 0]),
            b.rawASCII(0x8298, [0x20, 0, 0x45, 0x64, 0]),
        ] // editor-only copyright
        let m = try read(b)
        #expect(m.make == "Nik\u{FFFD}o")
        #expect(m.copyright == "Ed")
    }

    @Test("PNG eXIf, WebP EXIF and bare TIFF carry the same record; size from each header")
    func containers() throws {
        var b = TIFFBuilder(bigEndian: true)
        b.ifd0 = [b.ascii(0x010F, "Pixel"), b.short(0x0112, 3)]
        let tiff = b.build()
        let png = try ExifReader.metadata(from: TIFFBuilder.png(exif: tiff))
        #expect(png.make == "Pixel" && png.orientation == 3 && png.width == 3 && png.height == 2)
        let pngPrefixed = try ExifReader.metadata(from: TIFFBuilder.png(exif: TIFFBlock.exifPrefix + tiff))
        #expect(pngPrefixed == png)
        let webp = try ExifReader.metadata(from: TIFFBuilder.webp(exif: tiff))
        #expect(webp.make == "Pixel" && webp.width == 5 && webp.height == 4)
        let bare = try ExifReader.metadata(from: tiff)
        #expect(bare.make == "Pixel" && bare.width == nil)
        let noExif = try ExifReader.metadata(from: TIFFBuilder.png(exif: nil))
        #expect(noExif.make == nil && noExif.width == 3)
    }

    @Test("unsupported input is a clear error")
    func unsupported() {
        #expect(throws: ExifError(.empty, "empty input: no image data")) { try ExifReader.metadata(from: []) }
        #expect { try ExifReader.metadata(from: Array("GIF89a....".utf8)) } throws: { ($0 as? ExifError)?.code == .unsupportedFormat }
        #expect { try ExifReader.metadata(contentsOfFile: "/nonexistent/x.jpg") } throws: { ($0 as? ExifError)?.code == .unreadableFile }
    }

    @Test("multi-segment EXIF is joined like exiftool does")
    func multiSegment() throws {
        // IFD0 with ImageDescription whose 12 bytes continue into a second APP1 segment.
        let tiff: [UInt8] =
            [0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8, 0, 1, 0x01, 0x0E, 0, 2, 0, 0, 0, 12, 0, 0, 0, 0x1A, 0, 0, 0, 0] + Array("first".utf8)
        let second: [UInt8] = TIFFBlock.exifPrefix + Array("second".utf8) + [0]
        var jpeg: [UInt8] = [0xFF, 0xD8]
        for p in [TIFFBlock.exifPrefix + tiff, second] {
            jpeg += [0xFF, 0xE1, UInt8((p.count + 2) >> 8), UInt8((p.count + 2) & 0xFF)] + p
        }
        jpeg += TIFFBuilder.jpeg(exif: nil).dropFirst(2)
        #expect(try ExifReader.metadata(from: jpeg).imageDescription == "firstsecond")
    }

    @Test("a dangling thumbnail pointer does not hide the rest of IFD0 (libexif would stop there)")
    func danglingPointer() throws {
        var b = TIFFBuilder()
        b.ifd0 = [
            b.ascii(0x010F, "Make"), TIFFBuilder.Entry(tag: 0x0202, format: 4, count: 1, value: [0xFF, 0xFF, 0xFF, 0xFF]),
            b.ascii(0x013B, "after the bad pointer"),
        ]
        b.exif = [b.short(0x8827, 200), TIFFBuilder.Entry(tag: 0x927C, format: 7, count: 8, value: Array("Nikon\0\u{2}\0".utf8))]
        let m = try read(b)
        #expect(m.make == "Make")
        #expect(m.artist == "after the bad pointer")
        #expect(m.iso == 200)
    }

    @Test("a string tag present with zero length is reported as the empty string")
    func zeroLengthString() throws {
        var b = TIFFBuilder()
        b.ifd0 = [b.ascii(0x010F, "X"), TIFFBuilder.Entry(tag: 0x013B, format: 2, count: 0, value: [])]
        let m = try read(b)
        #expect(m.artist == "")
        #expect(m.copyright == nil)
    }

    @Test("XMP fills orientation, make, model and lens model only when EXIF lacks them")
    func xmpFallback() throws {
        let xmp = Array(
            ("<x:xmpmeta><rdf:RDF><rdf:Description tiff:Make='X&amp;Y' exifEX:LensModel=\"L 50\">"
                + "<tiff:Orientation> 6 </tiff:Orientation><tiff:Model>M&#x31;</tiff:Model></rdf:Description></rdf:RDF></x:xmpmeta>").utf8)
        var jpeg: [UInt8] = [0xFF, 0xD8]
        let payload = JPEGStructure.xmpSignature + xmp
        jpeg += [0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        jpeg += TIFFBuilder.jpeg(exif: nil).dropFirst(2)
        let m = try ExifReader.metadata(from: jpeg)
        #expect(m.orientation == 6 && m.make == "X&Y" && m.model == "M1" && m.lensModel == "L 50")

        var b = TIFFBuilder()
        b.ifd0 = [b.short(0x0112, 3), b.ascii(0x010F, "Exif make")]
        var both: [UInt8] = [0xFF, 0xD8]
        both += [0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        both += TIFFBuilder.jpeg(exif: b.build()).dropFirst(2)
        let e = try ExifReader.metadata(from: both)
        #expect(e.orientation == 3 && e.make == "Exif make" && e.model == "M1")
        #expect(XMPPacket(bytes: Array("<a:Orientationx>1</a:Orientationx> xtiff:Orientation='2'".utf8)).value("tiff:Orientation") == nil)
    }

    @Test(
        "XMP dates: fraction dropped, Z as +00:00, malformed omitted",
        arguments: [
            ("2008-05-25T19:31:26.05+01:00", "2008-05-25T19:31:26+01:00"), ("2001-02-03T04:05:06Z", "2001-02-03T04:05:06+00:00"),
            ("2001-02-03T04:05:06", "2001-02-03T04:05:06"), ("2001-02-03T04:05", nil), ("2008-05-25T19:31:26.0+1:00", nil),
            ("2001:02:03 04:05:06", nil),
        ] as [(String, String?)])
    func xmpDates(text: String, expected: String?) {
        #expect(PhotoMetadata.isoDateTime(xmp: text) == expected)
    }

    @Test("IPTC DateCreated + TimeCreated give the capture time when EXIF and XMP have none")
    func iptcDate() throws {
        func dataset(_ n: UInt8, _ s: String) -> [UInt8] { [0x1C, 2, n, 0, UInt8(s.utf8.count)] + Array(s.utf8) }
        func jpeg(_ iptc: [UInt8], exif: [UInt8]? = nil) -> [UInt8] {
            let resource = Array("8BIM".utf8) + [0x04, 0x04, 0, 0] + [0, 0, UInt8(iptc.count >> 8), UInt8(iptc.count & 0xFF)] + iptc
            let payload = IPTCRecord.photoshopSignature + resource + (iptc.count % 2 == 1 ? [0] : [])
            return [0xFF, 0xD8, 0xFF, 0xED, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
                + TIFFBuilder.jpeg(exif: exif).dropFirst(2)
        }
        let both = dataset(120, "caption") + dataset(55, "20220110") + dataset(60, "151544-0400")
        #expect(try ExifReader.metadata(from: jpeg(both)).dateTimeOriginal == "2022-01-10T15:15:44-04:00")
        #expect(
            try ExifReader.metadata(from: jpeg(dataset(55, "20090829") + dataset(60, "131808"))).dateTimeOriginal == "2009-08-29T13:18:08")
        #expect(try ExifReader.metadata(from: jpeg(dataset(55, "20220110"))).dateTimeOriginal == nil)
        var b = TIFFBuilder()
        b.exif = [b.ascii(0x9003, "2001:01:01 01:01:01")]
        #expect(try ExifReader.metadata(from: jpeg(both, exif: b.build())).dateTimeOriginal == "2001-01-01T01:01:01")
        // A resource size past the end is ignored, not read.
        let bad = IPTCRecord.photoshopSignature + Array("8BIM".utf8) + [0x04, 0x04, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF] + both
        #expect(IPTCRecord(app13: bad[...]) == nil)
    }
}
