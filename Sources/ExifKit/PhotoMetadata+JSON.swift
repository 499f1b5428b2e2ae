/// Deterministic JSON for `PhotoMetadata`: keys in contract order, absent fields omitted,
/// numbers printed with enough digits to round-trip (so they compare to exiftool exactly
/// up to its own rounding).
extension PhotoMetadata {
    /// The record as one JSON object, keys in contract order, no trailing newline.
    public func jsonString(pretty: Bool = false) -> String {
        var fields: [(String, String)] = []
        func add(_ key: CodingKeys, _ value: String?) {
            if let value { fields.append((key.rawValue, value)) }
        }
        add(.make, make.map(JSONText.string))
        add(.model, model.map(JSONText.string))
        add(.lensModel, lensModel.map(JSONText.string))
        add(.dateTimeOriginal, dateTimeOriginal.map(JSONText.string))
        add(.exposureTime, exposureTime.map(JSONText.number))
        add(.fNumber, fNumber.map(JSONText.number))
        add(.iso, iso.map(JSONText.number))
        add(.focalLength, focalLength.map(JSONText.number))
        add(.focalLength35mm, focalLength35mm.map(String.init))
        add(.flash, flash.map(String.init))
        add(.orientation, orientation.map(String.init))
        if let gps, !gps.isEmpty {
            var parts: [(String, String)] = []
            if let v = gps.latitude { parts.append(("latitude", JSONText.number(v))) }
            if let v = gps.longitude { parts.append(("longitude", JSONText.number(v))) }
            if let v = gps.altitude { parts.append(("altitude", JSONText.number(v))) }
            add(.gps, JSONText.object(parts, indent: pretty ? 1 : nil))
        }
        add(.software, software.map(JSONText.string))
        add(.artist, artist.map(JSONText.string))
        add(.copyright, copyright.map(JSONText.string))
        add(.imageDescription, imageDescription.map(JSONText.string))
        add(.width, width.map(String.init))
        add(.height, height.map(String.init))
        return JSONText.object(fields, indent: pretty ? 0 : nil)
    }
}

/// Minimal JSON text writers for the fixed shapes this module prints.
enum JSONText {
    /// A JSON string literal with the mandatory escapes.
    static func string(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A finite number: integers without a fraction, others in Swift's shortest round-trip form.
    static func number(_ v: Double) -> String {
        precondition(v.isFinite, "PhotoMetadata never stores non-finite numbers")
        if v == v.rounded(), abs(v) < 1e15 {
            return String(Int64(v))
        }
        return "\(v)"
    }

    /// An object from already-encoded members; `indent` nil means compact.
    static func object(_ members: [(String, String)], indent: Int?) -> String {
        guard let indent else {
            return "{" + members.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        }
        if members.isEmpty { return "{}" }
        let pad = String(repeating: "  ", count: indent + 1)
        let close = String(repeating: "  ", count: indent)
        return "{\n" + members.map { pad + string($0.0) + ": " + $0.1 }.joined(separator: ",\n") + "\n" + close + "}"
    }
}
