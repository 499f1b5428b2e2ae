import ImageKit

/// Small hostile files built in the test, each the shape of one bad input #20 lists.
enum HostileUploads {
    /// A 64x48 JPEG without metadata.
    static func jpeg() throws -> [UInt8] {
        var pixels: [UInt8] = []
        for y in 0..<48 { for x in 0..<64 { pixels += [UInt8(x * 4), UInt8(y * 5), 120] } }
        return try ImageEncoder.encode(
            try PixelBuffer(width: 64, height: 48, channels: 3, pixels: pixels), options: EncodeOptions(format: .jpeg, quality: 90))
    }

    /// A JPEG whose EXIF says FNumber `fNumber` (a DOUBLE) and ISO `iso`, values no camera writes.
    static func jpeg(fNumber: Double?, iso: UInt16?) throws -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16 & 0xFFFF) }
        let count = (fNumber == nil ? 0 : 1) + (iso == nil ? 0 : 1)
        let data = 26 + 2 + 12 * count + 4
        var tiff: [UInt8] = Array("II".utf8) + le16(42) + le32(8)
        tiff += le16(1) + le16(0x8769) + le16(4) + le32(1) + le32(26) + le32(0) // IFD0: the Exif IFD pointer
        tiff += le16(count)
        if fNumber != nil { tiff += le16(0x829D) + le16(12) + le32(1) + le32(data) } // FNumber, DOUBLE
        if let iso { tiff += le16(0x8827) + le16(3) + le32(1) + le16(Int(iso)) + le16(0) } // ISO, SHORT
        tiff += le32(0)
        if let fNumber { tiff += withUnsafeBytes(of: fNumber.bitPattern.littleEndian, Array.init) }
        let payload: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
        let plain = try jpeg()
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
            + plain.dropFirst(2)
    }

    /// A JPEG followed by 100,000 near-empty progressive scans: a decoding-cost bomb of about 1 MB.
    static func scanBomb() throws -> [UInt8] {
        let scan: [UInt8] = [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]
        return Array(try jpeg().dropLast(2)) + (0..<100_000).flatMap { _ in scan } + [0xFF, 0xD9]
    }

    /// A PNG carrying an iTXt XMP packet of about 600 kB: a `make` of 300 kB, then a `model` past 300 kB of filler.
    static func pngWithHugeXMP() throws -> [UInt8] {
        var pixels: [UInt8] = []
        for y in 0..<32 { for x in 0..<32 { pixels += [UInt8(x * 8), UInt8(y * 8), 60] } }
        let png = try ImageEncoder.encode(
            try PixelBuffer(width: 32, height: 32, channels: 3, pixels: pixels), options: EncodeOptions(format: .png))
        let xmp =
            "<x:xmpmeta><rdf:RDF><rdf:Description tiff:Make='\(String(repeating: "Make", count: 75_000))'>"
            + String(repeating: " ", count: 300_000) + "<tiff:Model>late</tiff:Model></rdf:Description></rdf:RDF></x:xmpmeta>"
        let text = Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + Array(xmp.utf8)
        return Array(png.dropLast(12)) + chunk("iTXt", text) + png.suffix(12)
    }

    /// A 7100x7100 16-bit greyscale PNG: 50.4 MP, within the 100 MP limit at 8 bits but 100.8 M
    /// samples' worth at 2 bytes each. Its image data is a stub: it must be refused from the header.
    static func sixteenBitBomb() -> [UInt8] {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        return signature + chunk("IHDR", be32(7100) + be32(7100) + [16, 0, 0, 0, 0])
            + chunk("IDAT", [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF]) + chunk("IEND", [])
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// One PNG chunk with its CRC.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in body {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return be32(UInt32(data.count)) + body + be32(~crc)
    }
}
