import Testing

@testable import ContainerKit

@Suite("JPEG marker walk")
struct JPEGStructureTests {
    /// A profile-shaped byte run (at least the 132-byte ICC header).
    static let profile: [UInt8] = (0..<300).map { UInt8($0 % 251) }

    @Test func frameExifXMPAndSegmentsFromOneWalk() throws {
        let xmp = Array("<x:xmpmeta/>".utf8)
        let file = Build.jpeg([
            Build.segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0]),
            Build.segment(0xE1, TIFFBlock.exifPrefix + Build.tiff(orientation: 6)),
            Build.segment(0xE1, JPEGStructure.xmpSignature + xmp),
            Build.segment(0xEE, Array("Adobe".utf8) + [0, 100, 0, 0, 0, 0, 1]),
            Build.sof(width: 640, height: 480),
        ])
        let scan = try #require(ContainerScan(file))
        #expect(scan.format == .jpeg)
        #expect(scan.width == 640 && scan.height == 480)
        #expect(scan.exif == Build.tiff(orientation: 6))
        #expect(scan.exifOrientation == 6)
        #expect(scan.xmp == xmp)
        let jpeg = try #require(scan.jpeg)
        #expect(jpeg.end == .scan && jpeg.scans == 1 && jpeg.adobe)
        #expect(jpeg.frame == JPEGStructure.Frame(marker: 0xC0, length: 15, precision: 8, height: 480, width: 640, components: 3))
        #expect(jpeg.segments(0xE0).count == 1 && jpeg.segments(0xE1).count == 2)
    }

    @Test func multiSegmentExifIsJoinedAndANewTIFFHeaderIsNot() throws {
        let tiff = Build.tiff(orientation: 3)
        let file = Build.jpeg([
            Build.segment(0xE1, TIFFBlock.exifPrefix + tiff),
            Build.segment(0xE1, TIFFBlock.exifPrefix + [1, 2, 3]),
            Build.segment(0xE1, TIFFBlock.exifPrefix + Build.tiff(orientation: 8)),
            Build.sof(width: 8, height: 8),
        ])
        #expect(ContainerScan(file)?.exif == tiff + [1, 2, 3])
    }

    @Test func iccChainIsReassembledInSequenceOrderWhateverTheFileOrder() throws {
        let parts = [Array(Self.profile[0..<100]), Array(Self.profile[100..<200]), Array(Self.profile[200...])]
        let ordered = Build.jpeg(parts.indices.map { Build.iccChunk($0 + 1, of: 3, parts[$0]) } + [Build.sof(width: 8, height: 8)])
        let shuffled = Build.jpeg(
            [
                Build.iccChunk(3, of: 3, parts[2]), Build.iccChunk(1, of: 3, parts[0]), Build.sof(width: 8, height: 8),
                Build.iccChunk(2, of: 3, parts[1]),
            ])
        #expect(ContainerScan(ordered)?.iccProfile == .bytes(Self.profile))
        #expect(ContainerScan(shuffled)?.iccProfile == .bytes(Self.profile))
    }

    @Test func brokenICCChainsGiveNoProfile() {
        let parts = [Array(Self.profile[0..<150]), Array(Self.profile[150...])]
        let chains: [[[UInt8]]] = [
            [Build.iccChunk(1, of: 2, parts[0])], // one missing
            [Build.iccChunk(1, of: 2, parts[0]), Build.iccChunk(1, of: 2, parts[1])], // one repeated
            [Build.iccChunk(1, of: 2, parts[0]), Build.iccChunk(2, of: 3, parts[1])], // counts disagree
            [Build.iccChunk(0, of: 2, parts[0]), Build.iccChunk(1, of: 2, parts[1])], // sequence numbers start at 1
            [Build.iccChunk(1, of: 1, Array(Self.profile.prefix(100)))], // shorter than an ICC header
        ]
        for chain in chains {
            #expect(ContainerScan(Build.jpeg(chain + [Build.sof(width: 8, height: 8)]))?.iccProfile == nil)
        }
    }

    @Test func everyTruncationEndsTheWalkWithoutATrap() throws {
        let file = Build.jpeg([Build.segment(0xE1, TIFFBlock.exifPrefix + Build.tiff(orientation: 6)), Build.sof(width: 64, height: 48)])
        let sosAt = file.count - Build.sos.count - 2
        for n in 3..<sosAt {
            let jpeg = try #require(ContainerScan(Array(file.prefix(n)))?.jpeg)
            #expect(jpeg.end == .truncated, "prefix \(n)")
            #expect(jpeg.scans == 0)
        }
        #expect(ContainerScan(file)?.jpeg?.end == .scan)
    }

    @Test func endOfImageInvalidLengthsAndJunkBetweenSegments() throws {
        let noScan = [0xFF, 0xD8] + Build.sof(width: 8, height: 8) + [0xFF, 0xD9]
        #expect(ContainerScan(noScan)?.jpeg?.end == .endOfImage)
        let badLength: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01] + Build.sof(width: 8, height: 8)
        #expect(ContainerScan(badLength)?.jpeg?.end == .invalidLength)
        // Junk bytes and fill bytes between segments are skipped, as libjpeg does.
        let junk = [0xFF, 0xD8, 0x00, 0x42, 0xFF, 0xFF] + Build.sof(width: 9, height: 7) + Build.sos + [0xFF, 0xD9]
        let scan = try #require(ContainerScan(junk))
        #expect(scan.jpeg?.end == .scan && scan.width == 9 && scan.height == 7)
    }

    @Test func hugeDeclaredSizeIsReportedForTheDecoderToRefuse() {
        let scan = ContainerScan(Build.jpeg([Build.sof(width: 65535, height: 65535)]))
        #expect(scan?.width == 65535 && scan?.height == 65535)
        // A DNL-style zero height is no size.
        #expect(ContainerScan(Build.jpeg([Build.sof(width: 100, height: 0)]))?.width == nil)
    }

    @Test func scansAreCountedFromTheFirstScanUpToTheLimit() {
        #expect(ContainerScan(Build.jpeg([Build.sof(width: 8, height: 8)], scans: 10))?.jpeg?.scans == 10)
        let bomb = Build.jpeg([Build.sof(width: 8, height: 8)], scans: 5000)
        #expect(ContainerScan(bomb)?.jpeg?.scans == JPEGStructure.scanCountLimit + 1)
        // An EXIF thumbnail's SOS inside APP1 is not a scan of this image.
        let thumbnail = Build.jpeg([Build.sof(width: 4, height: 4)])
        let withThumb = Build.jpeg([
            Build.segment(0xE1, TIFFBlock.exifPrefix + Build.tiff(orientation: 1) + thumbnail), Build.sof(width: 8, height: 8),
        ])
        #expect(ContainerScan(withThumb)?.jpeg?.scans == 1)
    }
}
