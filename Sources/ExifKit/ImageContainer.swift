import CTurboJPEG

/// The container formats the reader understands.
public enum ImageContainerFormat: String, Sendable, Equatable {
    /// JPEG (EXIF in APP1 `Exif\0\0` segments).
    case jpeg
    /// PNG (EXIF in the `eXIf` chunk).
    case png
    /// WebP (EXIF in the RIFF `EXIF` chunk).
    case webp
    /// HEIF: HEIC/HEIF or AVIF (EXIF in the `Exif` item, XMP in a `mime` item).
    case heif
    /// A bare TIFF/EXIF block (`II*\0` / `MM\0*`), optionally with the `Exif\0\0` prefix.
    case tiff
}

/// What a container walk found: the EXIF TIFF block, XMP packet, IPTC record and CIFF heap (if any) and the pixel size from the
/// image header (if readable). All walks are bounds-checked and linear in the input size.
struct ImageContainer {
    /// The detected container format.
    var format: ImageContainerFormat
    /// The TIFF block (byte-order mark first), without any `Exif\0\0` prefix.
    var exif: [UInt8]?
    /// The XMP packet (UTF-8 XML), if the container has one.
    var xmp: [UInt8]?
    /// The IPTC-NAA record from a JPEG's APP13 Photoshop segment, if any.
    var iptc: IPTCRecord?
    /// Canon CIFF metadata from a JPEG APP0 segment (early PowerShot models), if any.
    var ciff: CIFFRecord?
    /// Pixel width from the image header.
    var width: Int?
    /// Pixel height from the image header.
    var height: Int?

    /// Detects the format of `bytes` and walks it.
    static func scan(_ bytes: [UInt8]) throws(ExifError) -> ImageContainer {
        guard !bytes.isEmpty else { throw ExifError(.empty, "empty input: no image data") }
        if bytes.starts(with: [0xFF, 0xD8]) { return scanJPEG(bytes) }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return scanPNG(bytes) }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return scanWebP(bytes)
        }
        if isHEIF(bytes) { return scanHEIF(bytes) }
        if isTIFFHeader(bytes[...]) { return ImageContainer(format: .tiff, exif: bytes) }
        if bytes.starts(with: exifPrefix), isTIFFHeader(bytes.dropFirst(6)) {
            return ImageContainer(format: .tiff, exif: Array(bytes.dropFirst(6)))
        }
        throw ExifError(.unsupportedFormat, "not a JPEG, PNG, WebP, HEIF/AVIF or TIFF/EXIF file")
    }

    /// `http://ns.adobe.com/xap/1.0/\0`, the APP1 identifier of the main XMP packet.
    static let xmpSignature: [UInt8] = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0]

    /// `Exif\0\0`, the APP1 identifier.
    static let exifPrefix: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]

    /// True when `b` starts with a TIFF byte-order mark and magic 42.
    static func isTIFFHeader(_ b: ArraySlice<UInt8>) -> Bool {
        guard b.count >= 8 else { return false }
        let s = b.startIndex
        return (b[s] == 0x49 && b[s + 1] == 0x49 && b[s + 2] == 0x2A && b[s + 3] == 0)
            || (b[s] == 0x4D && b[s + 1] == 0x4D && b[s + 2] == 0 && b[s + 3] == 0x2A)
    }

    // MARK: JPEG

    /// Walks JPEG markers up to the first SOS. EXIF is taken the way exiftool takes it: the
    /// first APP1 whose payload starts with (up to 4 junk bytes and) `Exif\0`, joined with
    /// directly following APP1 `Exif\0\0` continuation segments that do not start a new
    /// TIFF header (multi-segment EXIF). The size comes from TurboJPEG's header reader,
    /// falling back to the first SOFn segment when TurboJPEG refuses the stream.
    static func scanJPEG(_ b: [UInt8]) -> ImageContainer {
        var result = ImageContainer(format: .jpeg)
        var sof: (width: Int, height: Int)?
        var exifOpen = false // the previous segment was part of the EXIF block
        var i = 2
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { break } // lost sync: stop, keep what we have
            var m = i + 1
            while m < b.count, b[m] == 0xFF { m += 1 } // fill bytes
            guard m < b.count else { break }
            let marker = b[m]
            let segStart = m + 1
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) {
                i = segStart
                exifOpen = false
                continue
            }
            if marker == 0xD9 || marker == 0xDA { break } // EOI / SOS: no more headers
            guard segStart + 2 <= b.count else { break }
            let length = Int(b[segStart]) << 8 | Int(b[segStart + 1])
            guard length >= 2, segStart + length <= b.count else { break }
            let payload = b[(segStart + 2)..<(segStart + length)]
            switch marker {
            case 0xE1 where payload.starts(with: xmpSignature):
                if result.xmp == nil { result.xmp = Array(payload.dropFirst(xmpSignature.count)) }
            case 0xE1:
                if result.exif == nil {
                    if let start = exifStart(payload) {
                        result.exif = Array(payload[start...])
                        exifOpen = true
                        i = segStart + length
                        continue
                    }
                } else if exifOpen, payload.starts(with: exifPrefix), !isTIFFHeader(payload.dropFirst(6)) {
                    result.exif!.append(contentsOf: payload.dropFirst(6))
                    i = segStart + length
                    continue
                }
            case 0xED:
                if result.iptc == nil { result.iptc = IPTCRecord(app13: payload) }
            case 0xE0:
                if result.ciff == nil { result.ciff = CIFFRecord(app0: payload) }
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                if sof == nil, payload.count >= 5 {
                    let s = payload.startIndex
                    sof = (Int(payload[s + 3]) << 8 | Int(payload[s + 4]), Int(payload[s + 1]) << 8 | Int(payload[s + 2]))
                }
            default: break
            }
            exifOpen = false
            i = segStart + length
        }
        if let size = turboJPEGSize(b) {
            result.width = size.width
            result.height = size.height
        } else if let sof, sof.width > 0, sof.height > 0 {
            result.width = sof.width
            result.height = sof.height
        }
        return result
    }

    /// Where the TIFF block starts in an APP1 payload, if it is an EXIF payload.
    private static func exifStart(_ p: ArraySlice<UInt8>) -> Int? {
        let tag: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00]
        for junk in 0...4 {
            let s = p.startIndex + junk
            guard s + 6 <= p.endIndex else { return nil }
            if p[s..<(s + 5)].elementsEqual(tag) { return s + 6 }
        }
        return nil
    }

    /// Width and height from `tjDecompressHeader3`, nil when TurboJPEG cannot read the header.
    static func turboJPEGSize(_ b: [UInt8]) -> (width: Int, height: Int)? {
        guard let handle = tjInitDecompress() else { return nil }
        defer { tjDestroy(handle) }
        var w: Int32 = 0
        var h: Int32 = 0
        var subsamp: Int32 = 0
        var colorspace: Int32 = 0
        let rc = b.withUnsafeBufferPointer { p in
            tjDecompressHeader3(handle, p.baseAddress, UInt(p.count), &w, &h, &subsamp, &colorspace)
        }
        guard rc == 0, w > 0, h > 0 else { return nil }
        return (Int(w), Int(h))
    }

    // MARK: PNG

    /// Walks PNG chunks (length, type, data, CRC) until IEND or the first chunk that does not
    /// fit. IHDR gives the size; the first `eXIf` chunk gives the EXIF block.
    static func scanPNG(_ b: [UInt8]) -> ImageContainer {
        var result = ImageContainer(format: .png)
        var i = 8
        while i + 8 <= b.count {
            let length = Int(readBE32(b, i))
            let type = Array(b[(i + 4)..<(i + 8)])
            let dataStart = i + 8
            guard length <= b.count - dataStart else { break } // truncated or hostile length
            let data = b[dataStart..<(dataStart + length)]
            switch type {
            case Array("IHDR".utf8):
                if data.count >= 8 {
                    let w = Int(readBE32(b, dataStart))
                    let h = Int(readBE32(b, dataStart + 4))
                    if w > 0, h > 0, w <= Int(Int32.max), h <= Int(Int32.max) {
                        result.width = w
                        result.height = h
                    }
                }
            case Array("eXIf".utf8):
                if result.exif == nil { result.exif = data.starts(with: exifPrefix) ? Array(data.dropFirst(6)) : Array(data) }
            case Array("iTXt".utf8):
                // keyword NUL, compression flag, method, language NUL, translated keyword NUL, text.
                let keyword = Array("XML:com.adobe.xmp".utf8) + [0]
                if result.xmp == nil, data.starts(with: keyword) {
                    var p = data.dropFirst(keyword.count)
                    if p.count >= 2, p[p.startIndex] == 0 { // uncompressed only
                        p = p.dropFirst(2)
                        if let z1 = p.firstIndex(of: 0) {
                            p = p[(z1 + 1)...]
                            if let z2 = p.firstIndex(of: 0) { result.xmp = Array(p[(z2 + 1)...]) }
                        }
                    }
                }
            case Array("IEND".utf8):
                return result
            default: break
            }
            i = dataStart + length + 4
        }
        return result
    }

    // MARK: WebP

    /// Walks RIFF chunks of a WebP file. Size: VP8X canvas, else the VP8 key frame header,
    /// else the VP8L header. EXIF: the first `EXIF` chunk (an `Exif\0\0` prefix is tolerated).
    static func scanWebP(_ b: [UInt8]) -> ImageContainer {
        var result = ImageContainer(format: .webp)
        let riffEnd = min(b.count, 8 + Int(readLE32(b, 4)))
        var canvas: (Int, Int)?
        var frame: (Int, Int)?
        var i = 12
        while i + 8 <= riffEnd {
            let fourcc = Array(b[i..<(i + 4)])
            let size = Int(readLE32(b, i + 4))
            let start = i + 8
            guard size <= riffEnd - start else { break }
            let d = b[start..<(start + size)]
            switch fourcc {
            case Array("VP8X".utf8) where size >= 10:
                canvas = (1 + Int(readLE24(b, start + 4)), 1 + Int(readLE24(b, start + 7)))
            case Array("VP8 ".utf8) where size >= 10:
                // 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
                if frame == nil, b[start + 3] == 0x9D, b[start + 4] == 0x01, b[start + 5] == 0x2A {
                    frame = (Int(readLE16(b, start + 6) & 0x3FFF), Int(readLE16(b, start + 8) & 0x3FFF))
                }
            case Array("VP8L".utf8) where size >= 5:
                if frame == nil, b[start] == 0x2F {
                    let bits = readLE32(b, start + 1)
                    frame = (Int(bits & 0x3FFF) + 1, Int((bits >> 14) & 0x3FFF) + 1)
                }
            case Array("EXIF".utf8):
                if result.exif == nil { result.exif = d.starts(with: exifPrefix) ? Array(d.dropFirst(6)) : Array(d) }
            case Array("XMP ".utf8):
                if result.xmp == nil { result.xmp = Array(d) }
            default: break
            }
            i = start + size + (size & 1)
        }
        if let (w, h) = canvas ?? frame, w > 0, h > 0 {
            result.width = w
            result.height = h
        }
        return result
    }

    // MARK: byte helpers (callers guarantee bounds)

    private static func readBE32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3])
    }
    private static func readLE32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o + 3]) << 24 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 1]) << 8 | UInt32(b[o])
    }
    private static func readLE24(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o + 2]) << 16 | UInt32(b[o + 1]) << 8 | UInt32(b[o])
    }
    private static func readLE16(_ b: [UInt8], _ o: Int) -> UInt16 {
        UInt16(b[o + 1]) << 8 | UInt16(b[o])
    }
}
