/// Walks JPEG marker segments up to the first scan: frame size, components, Adobe marker, EXIF
/// orientation, ICC profile (APP2 chain).
///
/// Bounds-checked on every read; skips junk between markers the way libjpeg does.
enum JPEGHeaderParser {
    static func parse(_ b: [UInt8]) throws -> ImageHeader {
        let n = b.count
        var i = 2
        var frame: (width: Int, height: Int, components: Int)?
        var adobe = false
        var orientation: Orientation?
        var icc: [(sequence: Int, count: Int, data: ArraySlice<UInt8>)] = []
        while i < n {
            if b[i] != 0xFF {
                i += 1 // junk between segments: libjpeg skips it with a warning
                continue
            }
            while i < n, b[i] == 0xFF { i += 1 }
            guard i < n else { break }
            let marker = b[i]
            i += 1
            switch marker {
            case 0x00, 0x01, 0xD0...0xD8:
                continue // stuffed byte, TEM, RSTn, SOI: no length
            case 0xD9:
                throw ImageError(.corrupt, frame == nil ? "The JPEG has no frame header (SOF)." : "The JPEG has no scan data.")
            default:
                break
            }
            guard i + 2 <= n else { throw ImageError(.truncated, "The JPEG ends inside a marker segment.") }
            let length = Int(b[i]) << 8 | Int(b[i + 1])
            guard length >= 2 else { throw ImageError(.corrupt, "The JPEG has a marker segment with an invalid length.") }
            let data = (i + 2)..<(i + length)
            guard data.upperBound <= n else { throw ImageError(.truncated, "The JPEG ends inside a marker segment.") }
            switch marker {
            case 0xE1 where orientation == nil:
                orientation = ExifOrientationReader.orientation(tiff: b[data]).map { $0 }
                if orientation == nil, data.count >= 6, b[data.prefix(6)].elementsEqual(Array("Exif\0\0".utf8)) {
                    orientation = .up // an EXIF block without a usable tag: later blocks do not override it
                }
            case 0xE2:
                let signature = ColorProfile.jpegICCSignature
                if data.count > signature.count + 2, b[data.prefix(signature.count)].elementsEqual(signature) {
                    let s = data.lowerBound + signature.count
                    icc.append((Int(b[s]), Int(b[s + 1]), b[(s + 2)..<data.upperBound]))
                }
            case 0xEE:
                if data.count >= 5, b[data.prefix(5)].elementsEqual(Array("Adobe".utf8)) { adobe = true }
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                guard frame == nil else { break }
                guard data.count >= 6 else { throw ImageError(.corrupt, "The JPEG frame header is too short.") }
                let lo = data.lowerBound
                let precision = Int(b[lo])
                let height = Int(b[lo + 1]) << 8 | Int(b[lo + 2])
                let width = Int(b[lo + 3]) << 8 | Int(b[lo + 4])
                let components = Int(b[lo + 5])
                switch marker {
                case 0xC3, 0xC7, 0xCB, 0xCF:
                    throw ImageError(.unsupportedFormat, "Lossless JPEG (SOF\(marker - 0xC0)) is not supported.")
                case 0xC5, 0xC6, 0xCD, 0xCE:
                    throw ImageError(.unsupportedFormat, "Hierarchical JPEG (SOF\(marker - 0xC0)) is not supported.")
                default: break
                }
                guard precision == 8 else {
                    throw ImageError(
                        precision == 12 || precision == 16 ? .unsupportedFormat : .corrupt,
                        "The JPEG has \(precision)-bit samples; only 8-bit JPEG is supported.")
                }
                guard components == 1 || components == 3 || components == 4 else {
                    throw ImageError(.corrupt, "The JPEG frame declares \(components) colour components.")
                }
                guard data.count >= 6 + 3 * components else { throw ImageError(.corrupt, "The JPEG frame header is too short.") }
                guard width > 0, height > 0 else {
                    throw ImageError(.corrupt, "The JPEG frame declares an empty image (\(width)x\(height)).")
                }
                frame = (width, height, components)
            case 0xDA:
                guard let frame else { throw ImageError(.corrupt, "The JPEG has a scan before its frame header (SOF).") }
                return ImageHeader(
                    format: .jpeg, width: frame.width, height: frame.height, hasAlpha: false,
                    orientation: orientation ?? .up, colorProfile: ColorProfile.jpegICC(icc), adobeMarker: adobe)
            default:
                break
            }
            i = data.upperBound
        }
        throw ImageError(.truncated, frame == nil ? "The JPEG ends before its frame header (SOF)." : "The JPEG ends before its scan data.")
    }
}
