import Testing

@testable import ContainerKit

@Suite("TIFF block: header test and orientation")
struct TIFFBlockTests {
    @Test func orientationInBothByteOrdersAndGarbageRefused() {
        // Big-endian TIFF: header, IFD0 with one entry 0x0112 SHORT 1 = 6.
        let mm: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]
        let ii: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]
        #expect(TIFFBlock.orientation(mm[...]) == 6)
        #expect(TIFFBlock.orientation((TIFFBlock.exifPrefix + ii)[...]) == 8)
        // Truncated, wrong magic, out-of-range value, offsets pointing outside: nil, no crash.
        for n in 0..<mm.count { #expect(TIFFBlock.orientation(mm.prefix(n)) == (n >= 20 ? 6 : nil)) }
        var bad = mm
        bad[3] = 43
        #expect(TIFFBlock.orientation(bad[...]) == nil)
        bad = mm
        bad[19] = 9
        #expect(TIFFBlock.orientation(bad[...]) == nil)
        bad = mm
        bad[4] = 0xFF
        #expect(TIFFBlock.orientation(bad[...]) == nil)
        // A slice that does not start at index 0 reads the same.
        #expect(TIFFBlock.orientation(([0, 0, 0] + mm).dropFirst(3)) == 6)
    }

    @Test func headerNeedsByteOrderMagicAndEightBytes() {
        #expect(TIFFBlock.isHeader(Build.tiff(orientation: 1)[...]))
        #expect(!TIFFBlock.isHeader([0x4D, 0x4D, 0, 42, 0, 0, 0][...]))
        #expect(!TIFFBlock.isHeader([0x4D, 0x49, 0, 42, 0, 0, 0, 8][...]))
    }
}
