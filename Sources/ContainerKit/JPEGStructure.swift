/// What a JPEG's marker segments say, read up to the first scan (SOS), plus the number of scans.
public struct JPEGStructure: Sendable {
    /// The first frame header (SOFn).
    public struct Frame: Sendable, Equatable {
        /// The SOF marker (0xC0...0xCF, not DHT/JPG/DAC): the coding process.
        public var marker: UInt8
        /// The segment's payload length; fields past it read as 0.
        public var length: Int
        /// Bits per sample.
        public var precision: Int
        /// Lines (0 means "defined later by DNL").
        public var height: Int
        /// Samples per line.
        public var width: Int
        /// Colour components.
        public var components: Int
    }

    /// Where the marker walk ended.
    public enum End: Sendable, Equatable {
        /// At the first SOS (start of scan): the headers are complete.
        case scan
        /// At EOI, before any scan.
        case endOfImage
        /// The data ends before a scan (inside or between segments).
        case truncated
        /// A segment declares a length below 2.
        case invalidLength
    }

    /// One application (APPn) segment.
    public struct Segment: Sendable {
        /// 0xE0 (APP0) ... 0xEF (APP15).
        public var marker: UInt8
        /// The bytes after the length field.
        public var payload: ArraySlice<UInt8>
    }

    /// The first SOFn segment, if any.
    public internal(set) var frame: Frame?
    /// Where the walk ended.
    public internal(set) var end: End = .truncated
    /// An Adobe APP14 segment is present (its CMYK data is stored inverted).
    public internal(set) var adobe = false
    /// SOS markers from the first scan on, counted up to ``scanCountLimit`` + 1: a progressive
    /// file has about 10; each is a full pass over the coefficients, so decoders cap them.
    public internal(set) var scans = 0
    /// The APPn segments before the first scan, in file order (at most ``maxSegments``).
    public internal(set) var applicationSegments: [Segment] = []

    /// Counting SOS markers stops past this many.
    public static let scanCountLimit = 1000
    /// Most APPn segments kept.
    public static let maxSegments = 256
    /// `http://ns.adobe.com/xap/1.0/\0`, the APP1 identifier of the main XMP packet.
    public static let xmpSignature: [UInt8] = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0]
    /// `ICC_PROFILE\0`, the APP2 identifier of an ICC chunk.
    public static let iccSignature: [UInt8] = Array("ICC_PROFILE".utf8) + [0]

    /// The payloads of the APPn segments with `marker`, in file order.
    public func segments(_ marker: UInt8) -> [ArraySlice<UInt8>] {
        applicationSegments.filter { $0.marker == marker }.map(\.payload)
    }

    /// Walks markers as libjpeg does (fill bytes and junk between segments skipped). EXIF is taken
    /// the way exiftool takes it: the first APP1 whose payload starts with (up to 4 junk bytes
    /// and) `Exif\0`, joined with directly following APP1 `Exif\0\0` segments that do not start a
    /// new TIFF header (multi-segment EXIF).
    static func scan(_ b: [UInt8]) -> ContainerScan {
        var result = ContainerScan(format: .jpeg, byteCount: b.count)
        var jpeg = JPEGStructure()
        var icc = ICCChunks()
        var exifOpen = false // the previous segment was part of the EXIF block
        var i = 2
        walk: while i < b.count {
            guard b[i] == 0xFF else {
                i += 1 // junk between segments: libjpeg skips it with a warning
                continue
            }
            while i < b.count, b[i] == 0xFF { i += 1 } // fill bytes
            guard i < b.count else { break }
            let marker = b[i]
            i += 1
            switch marker {
            case 0x00, 0x01, 0xD0...0xD8:
                exifOpen = false
                continue // stuffed byte, TEM, RSTn, SOI: no length
            case 0xD9:
                jpeg.end = .endOfImage
                break walk
            case 0xDA:
                jpeg.end = .scan
                jpeg.scans = Self.countScans(b, from: i - 2)
                break walk
            default: break
            }
            guard i + 2 <= b.count else { break }
            let length = Int(b[i]) << 8 | Int(b[i + 1])
            guard length >= 2 else {
                jpeg.end = .invalidLength
                break
            }
            guard length <= b.count - i else { break }
            let payload = b[(i + 2)..<(i + length)]
            i += length
            let continuesEXIF = exifOpen
            exifOpen = false
            switch marker {
            case 0xE1 where payload.starts(with: xmpSignature):
                result.keepXMP(payload.dropFirst(xmpSignature.count))
            case 0xE1:
                if result.exif == nil, let start = exifStart(payload) {
                    result.exif = Array(payload[start...])
                    exifOpen = true
                } else if continuesEXIF, payload.starts(with: TIFFBlock.exifPrefix), !TIFFBlock.isHeader(payload.dropFirst(6)),
                    result.exif!.count + payload.count <= ContainerScan.maxEXIFBytes
                {
                    result.exif!.append(contentsOf: payload.dropFirst(6))
                    exifOpen = true
                }
            case 0xE2 where payload.starts(with: iccSignature):
                icc.add(payload.dropFirst(iccSignature.count))
            case 0xEE where payload.starts(with: "Adobe".utf8):
                jpeg.adobe = true
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                guard jpeg.frame == nil else { break }
                func field(_ k: Int, _ n: Int) -> Int {
                    k + n <= payload.count ? (0..<n).reduce(0) { $0 << 8 | Int(payload[payload.startIndex + k + $1]) } : 0
                }
                jpeg.frame = Frame(
                    marker: marker, length: payload.count, precision: field(0, 1), height: field(1, 2), width: field(3, 2),
                    components: field(5, 1))
            default: break
            }
            if (0xE0...0xEF).contains(marker), jpeg.applicationSegments.count < maxSegments {
                jpeg.applicationSegments.append(Segment(marker: marker, payload: payload))
            }
        }
        if let frame = jpeg.frame { result.setSize(frame.width, frame.height) }
        result.iccProfile = icc.profile.map(EmbeddedICCProfile.bytes)
        result.jpeg = jpeg
        return result
    }

    /// Where the TIFF block starts in an APP1 payload, if it is an EXIF payload.
    static func exifStart(_ p: ArraySlice<UInt8>) -> Int? {
        let tag: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00]
        for junk in 0...4 {
            let s = p.startIndex + junk
            guard s + 6 <= p.endIndex else { return nil }
            if p[s..<(s + 5)].elementsEqual(tag) { return s + 6 }
        }
        return nil
    }

    /// The SOS markers from `start` on, counting up to `scanCountLimit + 1`. Inside entropy-coded
    /// data a 0xFF byte is always followed by 0x00 (stuffing) or a marker, so FF DA is a scan start.
    static func countScans(_ b: [UInt8], from start: Int) -> Int {
        var count = 0
        var i = max(0, start)
        let end = b.count - 1
        while i < end, count <= scanCountLimit {
            if b[i] == 0xFF, b[i + 1] == 0xDA { count += 1 }
            i += 1
        }
        return count
    }
}
