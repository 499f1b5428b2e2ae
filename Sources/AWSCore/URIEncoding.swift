/// Percent-encoding as SigV4 defines it (RFC 3986): every byte except the unreserved
/// characters `A-Z a-z 0-9 - . _ ~` becomes `%XX` with upper-case hex.
public enum URIEncoding {
    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
    }

    /// Encodes the UTF-8 bytes of `text`; `/` is kept when `keepSlash` is true (paths).
    public static func encode(_ text: some StringProtocol, keepSlash: Bool = false) -> String {
        let utf8 = text.utf8
        if utf8.allSatisfy({ isUnreserved($0) || (keepSlash && $0 == 0x2F) }) { return String(text) }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count * 3)
        for byte in utf8 {
            if isUnreserved(byte) || (keepSlash && byte == 0x2F) {
                output.append(byte)
            } else {
                output.append(0x25)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes `%XX` sequences, and `+` as a space when `plusIsSpace` (form encoding: query strings,
    /// S3 event keys). Returns nil for a malformed escape or when the decoded bytes are not valid UTF-8.
    public static func decode(_ text: some StringProtocol, plusIsSpace: Bool = false) -> String? {
        let utf8 = Array(text.utf8)
        guard utf8.contains(0x25) || (plusIsSpace && utf8.contains(0x2B)) else { return String(text) }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == 0x25 {
                guard index + 2 < utf8.count, let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) else { return nil }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(plusIsSpace && byte == 0x2B ? 0x20 : byte)
                index += 1
            }
        }
        return String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
