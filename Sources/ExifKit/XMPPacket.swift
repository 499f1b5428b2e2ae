import ContainerKit

/// Reads a few simple properties from an XMP packet, for fields a file states only in XMP.
///
/// Not a general XML parser: it finds a property by its qualified name in the two ways
/// RDF/XML writes simple values — as an attribute (`tiff:Orientation="6"`) or as an element
/// (`<tiff:Orientation>6</tiff:Orientation>`) — and decodes XML character references.
/// Prefixes are the conventional ones Adobe's XMP toolkit and exiftool write. Scanning is
/// linear in the packet size; nothing is allocated beyond the value found. Hostile packets are
/// bounded: only the first ``maxBytes`` are read, and a value keeps at most ``maxValueBytes``.
struct XMPPacket {
    /// The most bytes of a packet read: a JPEG's main XMP packet fits one APP1 segment (64 KiB),
    /// and the simple properties read here come first in what every writer produces.
    /// One cap with the container scan, which copies no more than this.
    static let maxBytes = ContainerScan.maxXMPBytes
    /// The most bytes of one value kept (records cap their strings at 1 kB anyway).
    static let maxValueBytes = 1024

    /// The packet bytes (UTF-8 XML), at most ``maxBytes``.
    let bytes: [UInt8]

    /// A packet over the first ``maxBytes`` of `bytes`.
    init(bytes: [UInt8]) {
        self.bytes = bytes.count > Self.maxBytes ? Array(bytes.prefix(Self.maxBytes)) : bytes
    }

    /// The text value of the simple property `name` (e.g. `"tiff:Orientation"`), trimmed,
    /// or nil when the packet has no such simple property.
    func value(_ name: String) -> String? {
        let key = Array(name.utf8)
        guard !key.isEmpty, bytes.count > key.count else { return nil }
        var i = 0
        let last = bytes.count - key.count
        while i <= last {
            guard bytes[i] == key[0], matches(key, at: i) else {
                i += 1
                continue
            }
            let before = i > 0 ? bytes[i - 1] : 0x20
            let after = i + key.count
            if before == 0x3C, after < bytes.count, bytes[after] == 0x3E { // <name>text<
                let start = after + 1
                let limit = min(bytes.count, start + Self.maxValueBytes)
                var end = start
                while end < limit, bytes[end] != 0x3C { end += 1 }
                if end < bytes.count { return Self.decode(bytes[start..<scalarBoundary(end, after: start)]) }
            } else if Self.isSpace(before), let eq = skipSpaces(after), eq < bytes.count, bytes[eq] == 0x3D,
                let q = skipSpaces(eq + 1), q < bytes.count, bytes[q] == 0x22 || bytes[q] == 0x27
            {
                let quote = bytes[q]
                let limit = min(bytes.count, q + 1 + Self.maxValueBytes)
                var end = q + 1
                while end < limit, bytes[end] != quote { end += 1 }
                if end < bytes.count { return Self.decode(bytes[(q + 1)..<scalarBoundary(end, after: q + 1)]) }
            }
            i += 1
        }
        return nil
    }

    /// `end`, moved back (not before `start`) off UTF-8 continuation bytes, so a value cut at
    /// ``maxValueBytes`` does not end inside a character.
    private func scalarBoundary(_ end: Int, after start: Int) -> Int {
        var end = end
        while end > start, end < bytes.count, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return end
    }

    private func matches(_ key: [UInt8], at i: Int) -> Bool {
        for k in 1..<key.count where bytes[i + k] != key[k] { return false }
        return true
    }

    private func skipSpaces(_ from: Int) -> Int? {
        var j = from
        while j < bytes.count, Self.isSpace(bytes[j]) { j += 1 }
        return j
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// Decodes `&amp; &lt; &gt; &quot; &apos; &#N; &#xH;`, trims, repairs invalid UTF-8.
    static func decode(_ raw: ArraySlice<UInt8>) -> String? {
        let text = ExifRawValue.clean(raw)
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += rest[amp...]
                return out
            }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: Unicode.Scalar?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    scalar = UInt32(entity.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
                }
                if let scalar { out.unicodeScalars.append(scalar) } else { out += rest[amp...semi] }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
