import Testing

@testable import ContainerKit

@Suite("PNG chunk walk")
struct PNGStructureTests {
    @Test func headerAncillaryChunksExifXMPAndCompressedICC() throws {
        let xmp = Array("<x:xmpmeta/>".utf8)
        let itxt = Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + xmp
        let iccp = Array("ICC".utf8) + [0, 0] + [0x78, 0x9C, 1, 2, 3]
        let file = Build.png([
            Build.ihdr(width: 300, height: 200, depth: 16, colorType: 6), Build.chunk("iCCP", iccp), Build.chunk("tRNS", [0, 0]),
            Build.chunk("eXIf", TIFFBlock.exifPrefix + Build.tiff(orientation: 5)), Build.chunk("IDAT", [1, 2, 3]),
            Build.chunk("iTXt", itxt),
        ])
        let scan = try #require(ContainerScan(file))
        #expect(scan.format == .png && scan.width == 300 && scan.height == 200)
        let png = try #require(scan.png)
        #expect(
            png.header == PNGStructure.Header(width: 300, height: 200, bitDepth: 16, colorType: 6, compression: 0, filter: 0, interlace: 0))
        #expect(png.hasTransparencyChunk && !png.declaresSRGB && png.reachedEnd)
        #expect(scan.iccProfile == .zlib([0x78, 0x9C, 1, 2, 3]), "handed back compressed: zlib lives where CZlib is linked")
        #expect(scan.exif == Build.tiff(orientation: 5) && scan.exifOrientation == 5)
        #expect(scan.xmp == xmp, "XMP after IDAT is read, as exiftool reads it")
    }

    @Test func chunksAfterImageDataDoNotChangeTheDecode() throws {
        let file = Build.png([
            Build.ihdr(width: 2, height: 2), Build.chunk("IDAT", [0]), Build.chunk("tRNS", [0, 0]), Build.chunk("sRGB", [0]),
        ])
        let png = try #require(ContainerScan(file)?.png)
        #expect(!png.hasTransparencyChunk && !png.declaresSRGB)
    }

    @Test func hostileLengthsAndTruncationsStopTheWalk() throws {
        let file = Build.png([Build.ihdr(width: 2, height: 2), Build.chunk("eXIf", Build.tiff(orientation: 2))])
        for n in 8..<(file.count - 4) { // IEND's CRC is not needed to reach it
            let scan = try #require(ContainerScan(Array(file.prefix(n))))
            #expect(scan.png?.reachedEnd == false, "prefix \(n)")
        }
        // A chunk declaring 2 GiB - 1 bytes ends the walk; no allocation follows the declared length.
        var huge = Build.png([Build.ihdr(width: 2, height: 2)])
        huge.insert(contentsOf: Build.be32(0x7FFF_FFFF) + Array("eXIf".utf8) + [1, 2, 3], at: 33)
        let scan = try #require(ContainerScan(huge))
        #expect(scan.exif == nil && scan.png?.reachedEnd == false && scan.width == 2)
        // An IHDR that is not the first chunk is no header.
        #expect(ContainerScan(Build.png([Build.chunk("tEXt", [0]), Build.ihdr(width: 2, height: 2)]))?.png?.header == nil)
    }

    @Test func xmpIsCutAtTheCap() throws {
        let packet = [UInt8](repeating: 0x20, count: ContainerScan.maxXMPBytes + 1000)
        let file = Build.png([
            Build.ihdr(width: 1, height: 1), Build.chunk("iTXt", Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + packet),
        ])
        #expect(ContainerScan(file)?.xmp?.count == ContainerScan.maxXMPBytes)
    }
}

@Suite("WebP RIFF walk")
struct WebPStructureTests {
    @Test func extendedFileCanvasAlphaAnimationAndMetadata() throws {
        let vp8x = Build.riffChunk("VP8X", [0x10 | 0x08 | 0x04, 0, 0, 0] + [0x1F, 0x03, 0] + [0xDF, 0x01, 0])
        let profile = [UInt8](repeating: 7, count: 200)
        let file = Build.webp([
            vp8x, Build.riffChunk("ICCP", profile), Build.vp8l(width: 800, height: 480, alpha: false),
            Build.riffChunk("EXIF", TIFFBlock.exifPrefix + Build.tiff(orientation: 7)), Build.riffChunk("XMP ", [1, 2, 3]),
        ])
        let scan = try #require(ContainerScan(file))
        #expect(scan.format == .webp && scan.width == 800 && scan.height == 480)
        let webp = try #require(scan.webp)
        #expect(webp.hasAlpha && !webp.isAnimated && !webp.isTruncated && webp.frame?.coding == .lossless)
        #expect(scan.iccProfile == .bytes(profile) && scan.exifOrientation == 7 && scan.xmp == [1, 2, 3])
        var animated = file
        animated[20] |= 0x02
        #expect(ContainerScan(animated)?.webp?.isAnimated == true)
    }

    @Test func simpleLosslessAndLossyHeaders() throws {
        let lossless = try #require(ContainerScan(Build.webp([Build.vp8l(width: 17, height: 5, alpha: true)])))
        #expect(lossless.width == 17 && lossless.height == 5 && lossless.webp?.hasAlpha == true)
        let keyFrame: [UInt8] = [0x50, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x40, 0x01, 0xF0, 0x00]
        let lossy = try #require(ContainerScan(Build.webp([Build.riffChunk("VP8 ", keyFrame)])))
        #expect(lossy.width == 320 && lossy.height == 240 && lossy.webp?.hasAlpha == false && lossy.webp?.frame?.coding == .lossy)
    }

    @Test func oversizedChunksAndRIFFSizesAreTruncation() throws {
        var file = Build.webp([Build.vp8l(width: 4, height: 4, alpha: false)])
        file.replaceSubrange(16..<20, with: Build.le32(0x7FFF_FFF0))
        let scan = try #require(ContainerScan(file))
        #expect(scan.webp?.isTruncated == true && scan.webp?.frame == nil && scan.width == nil)
        for n in 12..<file.count { _ = ContainerScan(Array(Build.webp([Build.vp8l(width: 4, height: 4, alpha: false)]).prefix(n))) }
        let short = try #require(ContainerScan(Array(Build.webp([Build.vp8l(width: 4, height: 4, alpha: false)]).prefix(20))))
        #expect(short.webp?.isTruncated == true)
    }
}
