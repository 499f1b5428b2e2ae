/// A deliberately tiny XML reader for the flat documents S3 returns (errors, listings,
/// delete results): finds `<Tag>text</Tag>` elements and decodes entities. It never
/// recurses, never allocates more than the input, and ignores anything it does not know.
public enum XMLScan {
    /// The decoded text of the first `<tag>…</tag>` element, or nil.
    public static func firstValue(of tag: String, in text: String) -> String? {
        values(of: tag, in: Substring(text), limit: 1).first
    }

    /// The raw (undecoded) inner text of every `<tag>…</tag>` element, in order.
    public static func elements(_ tag: String, in text: Substring) -> [Substring] {
        var result: [Substring] = []
        let open = "<\(tag)>"
        let close = "</\(tag)>"
        var rest = text[...]
        while let start = rest.firstRange(of: open) {
            let after = rest[start.upperBound...]
            guard let end = after.firstRange(of: close) else { break }
            result.append(after[..<end.lowerBound])
            rest = after[end.upperBound...]
        }
        return result
    }

    /// The decoded text of every `<tag>…</tag>` element, up to `limit`.
    public static func values(of tag: String, in text: Substring, limit: Int = .max) -> [String] {
        var result: [String] = []
        for element in elements(tag, in: text) {
            if result.count >= limit { break }
            result.append(decodeEntities(element))
        }
        return result
    }

    /// Replaces the five XML entities and numeric character references; unknown or malformed
    /// references are kept as written.
    public static func decodeEntities(_ text: Substring) -> String {
        guard text.utf8.contains(0x26) else { return String(text) }
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "&", let semicolon = text[index...].prefix(12).firstIndex(of: ";") else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            let name = text[text.index(after: index)..<semicolon]
            var replacement: String? = nil
            switch name {
            case "amp": replacement = "&"
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if name.hasPrefix("#") {
                    replacement = UInt32(name.dropFirst(1)).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                }
            }
            if let replacement {
                output += replacement
                index = text.index(after: semicolon)
            } else {
                output.append(character)
                index = text.index(after: index)
            }
        }
        return output
    }

    /// Escapes text for an XML element body.
    public static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            default:
                // Control characters cannot appear literally in XML 1.0; write them as references.
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" {
                    output += "&#x\(String(scalar.value, radix: 16));"
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }
}
