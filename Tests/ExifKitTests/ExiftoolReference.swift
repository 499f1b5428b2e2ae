import Foundation

/// The `exiftool -j -n -G1 -a` output stored beside a test file, read as the reference for
/// each PhotoMetadata field.
///
/// Each field's reference is exiftool's value from the field's standard EXIF location
/// (`IFD0:`, `ExifIFD:`, the `Composite:` signed GPS coordinates, `File:` for the header size),
/// else from the other sources ExifKit reads, in ExifKit's order (MakerNote, CIFF, XMP, IPTC).
/// The same tag name found only in a group neither lists (another vendor's MakerNote, say) is
/// recorded as an alternate: exiftool would report it and we do not, so it is a disagreement.
struct ExiftoolReference {
    /// A reference value: text or number.
    enum Value: Equatable, CustomStringConvertible {
        case text(String)
        case number(Double)
        var description: String {
            switch self {
            case .text(let s): return "\"\(s)\""
            case .number(let d): return "\(d)"
            }
        }
    }

    /// How a PhotoMetadata field maps onto exiftool tags.
    struct Field: Sendable {
        /// The key path in our JSON (`gps.latitude` for nested).
        let name: String
        /// exiftool `Group:Tag` keys tried in order.
        let keys: [String]
        /// Numeric field (compared to 1e-4 relative) or text (compared exactly after trimming).
        let numeric: Bool
        /// Groups whose same-named tag is *not* an alternate (the standard location, the
        /// thumbnail IFD, raw GPS values without a hemisphere).
        let ignoredGroups: Set<String>
    }

    /// Every contract field and its exiftool source.
    static let fields: [Field] = [
        // Make, model, lens model and orientation fall back to XMP when EXIF lacks them, in
        // ExifKit as in exiftool; the reference follows the same order.
        // A Canon CIFF heap (APP0) stands in for EXIF in files that have no EXIF.
        text("make", "IFD0:Make", "CIFF:Make", "XMP-tiff:Make"), text("model", "IFD0:Model", "CIFF:Model", "XMP-tiff:Model"),
        text("lensModel", "ExifIFD:LensModel", "Canon:LensModel", "XMP-exifEX:LensModel"),
        // Capture time: EXIF (+ OffsetTimeOriginal), else CIFF, else XMP, else exiftool's
        // composite of IPTC DateCreated + TimeCreated, in ExifKit as in exiftool.
        text(
            "dateTimeOriginal", "ExifIFD:DateTimeOriginal", "CIFF:DateTimeOriginal", "XMP-exif:DateTimeOriginal",
            "Composite:DateTimeOriginal"),
        number("exposureTime", "ExifIFD:ExposureTime"), number("fNumber", "ExifIFD:FNumber"),
        // ISO: EXIF, else the MakerNote's (Canon's is exiftool's Composite:ISO), compared as
        // exiftool -n gives it, Nikon's two-number form read as exiftool prints it (`printedISO`).
        number("iso", "ExifIFD:ISO", "Composite:ISO", "Nikon:ISO", "Casio:ISO", "Kodak:ISO"),
        number("focalLength", "ExifIFD:FocalLength", "CIFF:FocalLength"),
        number("focalLength35mm", "ExifIFD:FocalLengthIn35mmFormat"), number("flash", "ExifIFD:Flash"),
        number("orientation", "IFD0:Orientation", "XMP-tiff:Orientation"),
        Field(name: "gps.latitude", keys: ["Composite:GPSLatitude"], numeric: true, ignoredGroups: ["Composite", "GPS"]),
        Field(name: "gps.longitude", keys: ["Composite:GPSLongitude"], numeric: true, ignoredGroups: ["Composite", "GPS"]),
        // Without GPSAltitudeRef exiftool makes no composite and reports the raw altitude.
        Field(
            name: "gps.altitude", keys: ["Composite:GPSAltitude", "GPS:GPSAltitude"], numeric: true, ignoredGroups: ["Composite", "GPS"]),
        text("software", "IFD0:Software"), text("artist", "IFD0:Artist"), text("copyright", "IFD0:Copyright"),
        text("imageDescription", "IFD0:ImageDescription"),
        Field(name: "width", keys: ["File:ImageWidth"], numeric: true, ignoredGroups: ["*"]),
        Field(name: "height", keys: ["File:ImageHeight"], numeric: true, ignoredGroups: ["*"]),
    ]

    private static func text(_ name: String, _ keys: String...) -> Field {
        Field(name: name, keys: keys, numeric: false, ignoredGroups: Set(keys.map { String($0.split(separator: ":")[0]) } + ["IFD1"]))
    }
    private static func number(_ name: String, _ keys: String...) -> Field {
        Field(name: name, keys: keys, numeric: true, ignoredGroups: Set(keys.map { String($0.split(separator: ":")[0]) } + ["IFD1"]))
    }

    /// The parsed JSON object.
    let tags: [String: Any]

    /// Loads `<image>.exiftool.json`.
    init(image relative: String) throws {
        let data = try Data(contentsOf: TestData.root.appendingPathComponent(relative + ".exiftool.json"))
        guard let array = try JSONSerialization.jsonObject(with: data) as? [[String: Any]], let first = array.first else {
            throw CocoaError(.fileReadCorruptFile)
        }
        tags = first
    }

    /// The reference value of `field`, nil when exiftool has none at the standard location.
    func value(of field: Field) -> Value? {
        for key in field.keys {
            guard let raw = tags[key] else { continue }
            var value = Self.convert(raw, numeric: field.numeric)
            if field.name == "iso" {
                guard let printed = Self.printedISO(key: key, raw) else { return nil }
                value = .number(printed)
            }
            if field.name == "dateTimeOriginal", case .text(let s) = value {
                let offset = key == "ExifIFD:DateTimeOriginal" ? (tags["ExifIFD:OffsetTimeOriginal"] as? String) ?? "" : ""
                value = .text(Self.isoDate(s) + offset)
            }
            return value
        }
        return nil
    }

    /// An ISO value as exiftool -n gives it, except Nikon's two-number form, which is no number:
    /// `0 200` is ISO 200 (`PrintConv s/^0 //`; a leading `1` is a "Hi" setting and no number).
    /// Canon's Composite:ISO (BaseISO × AutoISO / 100) stays unrounded, e.g. 64.84.
    static func printedISO(key: String, _ raw: Any) -> Double? {
        switch key {
        case "Nikon:ISO":
            let parts = "\(raw)".split(separator: " ").compactMap { Double($0) }
            if parts.count == 1 { return parts[0] }
            return parts.count == 2 && parts[0] == 0 ? parts[1] : nil
        default:
            guard case .number(let v) = convert(raw, numeric: true) else { return nil }
            return v
        }
    }

    /// `Group:Tag` keys carrying the same tag name as `field` in groups we do not read.
    func alternates(of field: Field) -> [String] {
        guard !field.ignoredGroups.contains("*") else { return [] }
        let tagName = field.keys[0].split(separator: ":")[1]
        return tags.keys.filter { key in
            let parts = key.split(separator: ":")
            return parts.count == 2 && parts[1] == tagName && !field.ignoredGroups.contains(String(parts[0]))
        }.sorted()
    }

    /// A JSON value as text or number; numeric fields parse numeric strings ("0.006024...").
    static func convert(_ raw: Any, numeric: Bool) -> Value {
        if let n = raw as? NSNumber, !(raw is String) {
            return numeric ? .number(n.doubleValue) : .text(n.stringValue)
        }
        let s = "\(raw)"
        if numeric, let d = Double(s.trimmingCharacters(in: .whitespaces)) { return .number(d) }
        return .text(trim(s))
    }

    /// Trims padding spaces, NULs and line breaks, as PhotoMetadata does.
    static func trim(_ s: String) -> String {
        s.trimmingCharacters(in: CharacterSet(charactersIn: " \0\t\r\n"))
    }

    /// exiftool's `YYYY:MM:DD HH:MM:SS` as `YYYY-MM-DDTHH:MM:SS` (other text unchanged).
    static func isoDate(_ s: String) -> String {
        var c = Array(s)
        guard c.count >= 19, c[4] == ":", c[7] == ":", c[10] == " " else { return s }
        c[4] = "-"
        c[7] = "-"
        c[10] = "T"
        return String(c)
    }
}
