/// What a PNG's chunks say: the IHDR fields and the ancillary chunks that change how it decodes.
public struct PNGStructure: Sendable {
    /// The IHDR chunk's fields.
    public struct Header: Sendable, Equatable {
        public var width: Int
        public var height: Int
        /// Bits per sample (1, 2, 4, 8 or 16 as valid).
        public var bitDepth: Int
        /// 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA.
        public var colorType: Int
        public var compression: Int
        public var filter: Int
        /// 0 none, 1 Adam7.
        public var interlace: Int
    }

    /// IHDR, when the first chunk is a complete 13-byte IHDR.
    public internal(set) var header: Header?
    /// A `tRNS` chunk precedes the image data.
    public internal(set) var hasTransparencyChunk = false
    /// An `sRGB` chunk precedes the image data (it wins over `iCCP`).
    public internal(set) var declaresSRGB = false
    /// The walk reached IEND.
    public internal(set) var reachedEnd = false

    /// Walks chunks (length, type, data, CRC) until IEND or the first chunk that does not fit.
    /// IHDR must come first; `tRNS`, `sRGB` and `iCCP` count before the first IDAT; the first
    /// `eXIf` and the first uncompressed `iTXt` XMP count wherever they are (as exiftool reads them).
    static func scan(_ b: [UInt8]) -> ContainerScan {
        var result = ContainerScan(format: .png, byteCount: b.count)
        var png = PNGStructure()
        let r = ByteReads(bytes: b)
        var imageData = false
        var i = 8
        while let length = r.u32(i).map(Int.init), let type = r.fourCC(i + 4) {
            let start = i + 8
            guard length < 1 << 31, length <= b.count - start else { break } // truncated or hostile length
            let data = b[start..<(start + length)]
            if i == 8, type == "IHDR", length == 13 {
                png.header = Header(
                    width: Int(r.u32(start)!), height: Int(r.u32(start + 4)!), bitDepth: Int(b[start + 8]), colorType: Int(b[start + 9]),
                    compression: Int(b[start + 10]), filter: Int(b[start + 11]), interlace: Int(b[start + 12]))
            }
            switch type {
            case "IDAT": imageData = true
            case "tRNS" where !imageData: png.hasTransparencyChunk = true
            case "sRGB" where !imageData: png.declaresSRGB = true
            case "iCCP" where !imageData && result.iccProfile == nil:
                // Profile name (1-79 bytes), NUL, compression method 0, zlib stream.
                if let nul = data.prefix(80).firstIndex(of: 0), nul + 2 <= data.endIndex, data[nul + 1] == 0,
                    data.count <= ContainerScan.maxICCBytes
                {
                    result.iccProfile = .zlib(Array(data[(nul + 2)...]))
                }
            case "eXIf": result.keepEXIF(data)
            case "iTXt": if let xmp = xmpText(data) { result.keepXMP(xmp) }
            case "IEND":
                png.reachedEnd = true
            default: break
            }
            if png.reachedEnd { break }
            i = start + length + 4
        }
        if let h = png.header, h.width < 1 << 31, h.height < 1 << 31 { result.setSize(h.width, h.height) }
        result.png = png
        return result
    }

    /// The text of an uncompressed `iTXt` chunk with the XMP keyword: keyword NUL, compression
    /// flag, method, language NUL, translated keyword NUL, text.
    static func xmpText(_ data: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let keyword = Array("XML:com.adobe.xmp".utf8) + [0]
        guard data.starts(with: keyword) else { return nil }
        var p = data.dropFirst(keyword.count)
        guard p.count >= 2, p[p.startIndex] == 0 else { return nil } // compressed XMP is not read
        p = p.dropFirst(2)
        guard let language = p.firstIndex(of: 0) else { return nil }
        p = p[(language + 1)...]
        guard let translated = p.firstIndex(of: 0) else { return nil }
        return p[(translated + 1)...]
    }
}
