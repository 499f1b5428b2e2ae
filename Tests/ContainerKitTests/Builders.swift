/// Small, valid-by-construction containers for the walks' tests.
enum Build {
    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { be32(v).reversed() }

    /// A big-endian TIFF block whose IFD0 holds one entry, the orientation (SHORT, count 1).
    static func tiff(orientation: Int) -> [UInt8] {
        [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1] + be16(orientation) + [0, 0, 0, 0, 0, 0]
    }

    // MARK: JPEG

    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] { [0xFF, marker] + be16(payload.count + 2) + payload }

    /// SOF0 for an 8-bit image of `components` components.
    static func sof(width: Int, height: Int, components: Int = 3, marker: UInt8 = 0xC0, precision: UInt8 = 8) -> [UInt8] {
        segment(
            marker, [precision] + be16(height) + be16(width) + [UInt8(components)] + (0..<components).flatMap { [UInt8($0 + 1), 0x11, 0] })
    }

    /// One SOS with a byte of entropy-coded data.
    static let sos: [UInt8] = segment(0xDA, [1, 1, 0, 0, 0x3F, 0]) + [0x12]

    static func jpeg(_ segments: [[UInt8]], scans: Int = 1) -> [UInt8] {
        [0xFF, 0xD8] + segments.flatMap { $0 } + (0..<scans).flatMap { _ in sos } + [0xFF, 0xD9]
    }

    /// An APP2 ICC chunk: sequence number, count, data.
    static func iccChunk(_ sequence: Int, of count: Int, _ data: [UInt8]) -> [UInt8] {
        segment(0xE2, Array("ICC_PROFILE".utf8) + [0, UInt8(sequence), UInt8(count)] + data)
    }

    // MARK: PNG

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] { be32(data.count) + Array(type.utf8) + data + [0, 0, 0, 0] }

    static func ihdr(width: Int, height: Int, depth: UInt8 = 8, colorType: UInt8 = 2) -> [UInt8] {
        chunk("IHDR", be32(width) + be32(height) + [depth, colorType, 0, 0, 0])
    }

    static func png(_ chunks: [[UInt8]]) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunks.flatMap { $0 } + chunk("IEND", [])
    }

    // MARK: WebP

    static func riffChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        Array(type.utf8) + le32(data.count) + data + (data.count % 2 == 1 ? [0] : [])
    }

    static func webp(_ chunks: [[UInt8]]) -> [UInt8] {
        let body = Array("WEBP".utf8) + chunks.flatMap { $0 }
        return Array("RIFF".utf8) + le32(body.count) + body
    }

    /// A VP8L header chunk: signature, 14-bit width-1 and height-1, the alpha bit.
    static func vp8l(width: Int, height: Int, alpha: Bool) -> [UInt8] {
        let bits = (width - 1) | (height - 1) << 14 | (alpha ? 1 << 28 : 0)
        return riffChunk("VP8L", [0x2F] + le32(bits) + [0, 0, 0])
    }

    // MARK: HEIF

    static func box(_ type: String, _ body: [UInt8]) -> [UInt8] { be32(body.count + 8) + Array(type.utf8) + body }
    static func fullBox(_ type: String, version: UInt8 = 0, _ body: [UInt8]) -> [UInt8] { box(type, [version, 0, 0, 0] + body) }

    /// A HEIC with item 1 (`hvc1`, primary, `ispe` width x height) and item 2 (`Exif`, stored in
    /// `idat`: offset header, `Exif\0\0`, `exif`), plus item 3, an XMP `mime` item, when given.
    /// `properties` follow `ispe` in `ipco`, associated with item 1 in `order` (1-based `ipco`
    /// indices; all in turn by default); `iprp` replaces the whole property box.
    static func heic(
        width: Int, height: Int, exif: [UInt8], xmp: [UInt8]? = nil, properties: [[UInt8]] = [], order: [Int]? = nil,
        iprp: [UInt8]? = nil
    ) -> [UInt8] {
        let ftyp = box("ftyp", Array("heic".utf8) + [0, 0, 0, 0] + Array("mif1heic".utf8))
        let exifItem = be32(6) + Array("Exif".utf8) + [0, 0] + exif
        let idat = exifItem + (xmp ?? [])
        var infos = fullBox("infe", version: 2, be16(1) + be16(0) + Array("hvc1".utf8) + [0])
        infos += fullBox("infe", version: 2, be16(2) + be16(0) + Array("Exif".utf8) + [0])
        if xmp != nil {
            infos += fullBox("infe", version: 2, be16(3) + be16(0) + Array("mime".utf8) + [0] + Array("application/rdf+xml".utf8) + [0])
        }
        let itemCount = xmp == nil ? 2 : 3
        let iinf = fullBox("iinf", be16(itemCount) + infos)
        // iloc version 1: offset/length 4 bytes, no base offset; construction method 1 (idat) for 2 and 3.
        var locations = be16(1) + be16(0) + be16(0) + be16(1) + be32(0) + be32(0)
        locations += be16(2) + be16(1) + be16(0) + be16(1) + be32(0) + be32(exifItem.count)
        if let xmp { locations += be16(3) + be16(1) + be16(0) + be16(1) + be32(exifItem.count) + be32(xmp.count) }
        let iloc = fullBox("iloc", version: 1, [0x44, 0x00] + be16(itemCount) + locations)
        let ispe = fullBox("ispe", be32(width) + be32(height))
        let associations = order ?? Array(1...(properties.count + 1))
        let ipma = fullBox("ipma", be32(1) + be16(1) + [UInt8(associations.count)] + associations.map { UInt8(0x80 | $0) })
        let iprp = iprp ?? box("iprp", box("ipco", ispe + properties.joined()) + ipma)
        let meta = fullBox("meta", fullBox("pitm", be16(1)) + iinf + iloc + box("idat", idat) + iprp)
        return ftyp + meta + box("mdat", [0, 0, 0, 0])
    }
}
