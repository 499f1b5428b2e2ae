import Testing

@testable import ContainerKit

@Suite("HEIF box walk")
struct HEIFStructureTests {
    @Test func primaryItemSizeExifAndXMPFromTheMetaBox() throws {
        let tiff = Build.tiff(orientation: 6)
        let xmp = Array("<x:xmpmeta/>".utf8)
        let scan = try #require(ContainerScan(Build.heic(width: 4032, height: 3024, exif: tiff, xmp: xmp)))
        #expect(scan.format == .heic)
        #expect(scan.width == 4032 && scan.height == 3024)
        #expect(scan.exif == tiff && scan.xmp == xmp)
        let heif = try #require(scan.heif)
        #expect(heif.primaryItem == 1)
        #expect(heif.items.map(\.type) == ["hvc1", "Exif", "mime"])
        #expect(heif.items[2].contentType == "application/rdf+xml")
    }

    @Test func everyTruncationIsReadWithoutATrap() throws {
        let file = Build.heic(width: 64, height: 48, exif: Build.tiff(orientation: 1))
        for n in 16..<file.count {
            if let scan = ContainerScan(Array(file.prefix(n))) { #expect(scan.format == .heic) }
        }
    }

    @Test func boxSizesThatWouldLoopOrOverflowEndTheWalk() throws {
        let ftyp = Build.box("ftyp", Array("heic".utf8) + [0, 0, 0, 0] + Array("mif1".utf8))
        // A box claiming fewer bytes than its own header, a 64-bit size past the end, a size past the end.
        let bodies: [[UInt8]] = [
            Build.be32(4) + Array("meta".utf8) + [0, 0, 0, 0],
            Build.be32(1) + Array("meta".utf8) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF0],
            Build.be32(0x7FFF_FFFF) + Array("meta".utf8),
        ]
        for body in bodies {
            let scan = try #require(ContainerScan(ftyp + body))
            #expect(scan.heif?.primaryItem == nil && scan.width == nil)
        }
        // Size 0 means "to the end": the walk stops there.
        let r = BoxReader(bytes: ftyp + Build.be32(0) + Array("mdat".utf8) + [1, 2, 3])
        #expect(r.boxes(in: 0..<r.bytes.count).map(\.type) == ["ftyp", "mdat"])
        // A thousand empty boxes are walked in order, each once.
        let many = (0..<1000).flatMap { _ in Build.box("free", []) }
        #expect(BoxReader(bytes: many).boxes(in: 0..<many.count).count == 1000)
    }

    @Test func fullBoxesTooShortForTheirHeaderAreEmpty() throws {
        let ftyp = Build.box("ftyp", Array("heic".utf8) + [0, 0, 0, 0] + Array("mif1".utf8))
        // A `meta` with fewer than its 4 bytes of version and flags (the 24-byte file a review found trapping).
        for n in 0..<4 {
            let scan = try #require(ContainerScan(ftyp + Build.box("meta", [UInt8](repeating: 0, count: n))))
            #expect(scan.format == .heic && scan.heif?.primaryItem == nil && scan.width == nil)
        }
        // An `iinf` shorter than its version, flags and entry count.
        for version: UInt8 in [0, 1] {
            for n in 0..<6 {
                let iinf = Build.box("iinf", [version] + [UInt8](repeating: 0, count: n))
                let scan = try #require(ContainerScan(ftyp + Build.fullBox("meta", iinf)))
                #expect(scan.heif?.items.isEmpty == true)
            }
        }
    }

    @Test func hugeDeclaredSizeIsReportedForTheDecoderToRefuse() throws {
        let scan = try #require(ContainerScan(Build.heic(width: 1 << 30, height: 1 << 30, exif: Build.tiff(orientation: 1))))
        #expect(scan.width == 1 << 30 && scan.height == 1 << 30)
    }

    @Test func itemExtentsOutsideTheFileAreNotRead() {
        let r = BoxReader(bytes: [UInt8](repeating: 0, count: 64))
        #expect(r.data(of: ItemLocation(method: 0, baseOffset: 60, extents: [(0, 8)]), idat: nil) == nil)
        #expect(r.data(of: ItemLocation(method: 1, baseOffset: 0, extents: [(0, 8)]), idat: nil) == nil)
        #expect(r.data(of: ItemLocation(method: 0, baseOffset: 0, extents: [(8, 8)]), idat: nil)?.count == 8)
    }
}

@Suite("Container sniffing")
struct ContainerFormatTests {
    @Test func eachContainerIsKnownByItsFirstBytes() {
        #expect(ContainerFormat.sniff(Build.jpeg([])) == .jpeg)
        #expect(ContainerFormat.sniff(Build.png([])) == .png)
        #expect(ContainerFormat.sniff(Build.webp([])) == .webp)
        #expect(ContainerFormat.sniff(Build.heic(width: 1, height: 1, exif: [])) == .heic)
        let avif = Build.box("ftyp", Array("avif".utf8) + [0, 0, 0, 0] + Array("mif1miaf".utf8))
        #expect(ContainerFormat.sniff(avif) == .avif)
        let mp4 = Build.box("ftyp", Array("isom".utf8) + [0, 0, 0, 0] + Array("mp41".utf8))
        #expect(ContainerFormat.sniff(mp4) == nil)
        #expect(ContainerFormat.sniff(Build.tiff(orientation: 1)) == .tiff)
        #expect(ContainerFormat.sniff(TIFFBlock.exifPrefix + Build.tiff(orientation: 1)) == .tiff)
        #expect(ContainerFormat.sniff(Array("GIF89a".utf8)) == nil)
        #expect(ContainerFormat.sniff([]) == nil)
        #expect(ContainerScan([0xFF]) == nil)
        #expect(ContainerScan(TIFFBlock.exifPrefix + Build.tiff(orientation: 4))?.exif == Build.tiff(orientation: 4))
    }
}
