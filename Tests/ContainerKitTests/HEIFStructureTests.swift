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

@Suite("HEIF transforms in the box walk")
struct HEIFTransformReadTests {
    static let clap: [UInt8] =
        [330, 1, 385, 1].flatMap(Build.be32) + Build.be32(-616 & 0xFFFF_FFFF) + Build.be32(2) + [207, 2].flatMap(Build.be32)

    /// A HEIC whose primary item has `ispe` then `properties`, associated in `order` (1-based
    /// indices into `ipco`, `ispe` being 1).
    static func heic(_ properties: [[UInt8]], order: [Int]? = nil) -> [UInt8] {
        Build.heic(width: 1024, height: 722, exif: Build.tiff(orientation: 1), properties: properties, order: order)
    }

    @Test func transformsAreReadInAssociationOrder() throws {
        let irot = Build.box("irot", [3])
        let imir = Build.box("imir", [1])
        let clap = Build.box("clap", Self.clap)
        let scan = try #require(ContainerScan(Self.heic([irot, imir, clap], order: [1, 4, 2, 3])))
        let aperture = try #require(HEIFCleanAperture(Self.clap))
        #expect(scan.heif?.primaryTransforms == [.cleanAperture(aperture), .rotation(quarterTurns: 3), .mirror(leftRight: true)])
        #expect(scan.width == 1024 && scan.height == 722)
        // Only the low bits count, as libheif reads them; other properties are not transforms.
        let other = try #require(
            ContainerScan(Self.heic([Build.box("irot", [0xFE]), Build.box("imir", [0xFE]), Build.box("pasp", [0, 0, 0, 1, 0, 0, 0, 1])])))
        #expect(other.heif?.primaryTransforms == [.rotation(quarterTurns: 2), .mirror(leftRight: false)])
        #expect(try #require(ContainerScan(Self.heic([]))).heif?.primaryTransforms == [])
        // libheif 1.15's arithmetic on the shared AVIF's aperture (1024x722, offsets -308 and 103.5).
        #expect(aperture.crop(imageWidth: 1024, imageHeight: 722).map { [$0.x, $0.y, $0.width, $0.height] } == [39, 272, 330, 385])
    }

    @Test func everyTruncatedTransformIsUnreadableNotGuessed() throws {
        let full: [String: [UInt8]] = ["irot": [1], "imir": [0], "clap": Self.clap]
        for (type, body) in full {
            for n in 0..<body.count {
                let scan = try #require(ContainerScan(Self.heic([Build.box(type, Array(body.prefix(n)))])))
                #expect(scan.heif?.primaryTransforms == nil, "\(type) cut to \(n) bytes")
            }
            let scan = try #require(ContainerScan(Self.heic([Build.box(type, body)])))
            #expect(scan.heif?.primaryTransforms?.count == 1, "\(type)")
        }
    }

    @Test func unreadableAssociationsGiveNoTransforms() throws {
        // An index past ipco's properties; index 0 means "no property".
        #expect(try #require(ContainerScan(Self.heic([Build.box("irot", [1])], order: [1, 2, 9]))).heif?.primaryTransforms == nil)
        #expect(
            try #require(ContainerScan(Self.heic([Build.box("irot", [1])], order: [1, 0, 2]))).heif?.primaryTransforms == [
                .rotation(quarterTurns: 1)
            ])
        // Every cut of the ipma body (entry count, item id, association count, associations).
        let ipmaBody = Build.be32(1) + Build.be16(1) + [2, 0x81, 0x02]
        for n in 0..<ipmaBody.count {
            let iprp = Build.box(
                "iprp",
                Build.box("ipco", Build.fullBox("ispe", Build.be32(8) + Build.be32(8)) + Build.box("irot", [1]))
                    + Build.fullBox("ipma", Array(ipmaBody.prefix(n))))
            let scan = try #require(ContainerScan(Build.heic(width: 8, height: 8, exif: [], iprp: iprp)))
            #expect(scan.heif?.primaryTransforms == nil, "ipma cut to \(n) bytes")
        }
    }

    @Test func cleanAperturesLibheifRefusesOrCannotComputeGiveNothing() throws {
        func body(_ v: [UInt32]) -> [UInt8] { v.flatMap { Build.be32(Int($0)) } }
        // A zero denominator, a size above 2^31 - 1, a denominator that reduction turns to zero.
        #expect(HEIFCleanAperture(body([1, 0, 1, 1, 0, 1, 0, 1])) == nil)
        #expect(HEIFCleanAperture(body([0x8000_0000, 1, 1, 1, 0, 1, 0, 1])) == nil)
        #expect(HEIFCleanAperture(body([1 << 30, 1, 1, 1, 0, 1, 0, 1])) == nil)
        // Extreme but valid fractions: no trap, and a crop inside the image or none.
        let extremes: [UInt32] = [0, 1, 2, 0xFFFF, 0x10000, 0x10001, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF]
        for a in extremes {
            for b in extremes {
                guard let clap = HEIFCleanAperture(body([a & 0x7FFF_FFFF, 1, 7, 3, b, 0x10000, b, b & 0x7FFF_FFFF | 1])) else { continue }
                for (w, h) in [(1, 1), (4032, 3024), (65535, 65535)] {
                    if let c = clap.crop(imageWidth: w, imageHeight: h) {
                        #expect(c.x >= 0 && c.y >= 0 && c.width >= 1 && c.height >= 1 && c.x + c.width <= w && c.y + c.height <= h)
                    }
                }
            }
        }
    }
}
