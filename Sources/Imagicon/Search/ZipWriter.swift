/// Writes a ZIP archive (store method, CRC-32 computed, UTF-8 names) entry by entry: each call returns
/// the bytes to append, so the archive can be streamed out without holding it; only the central
/// directory (about 50 bytes per entry) is kept. Classic ZIP without Zip64: at most 65,535 entries and
/// 4 GiB, which ``add(name:data:)`` enforces.
public struct ZipWriter: Sendable {
    /// Refusals of the format's limits.
    public struct LimitError: Error, Equatable, Sendable, CustomStringConvertible {
        /// What was exceeded.
        public let description: String
    }

    private var central: [UInt8] = []
    private var entries = 0
    private var offset: UInt64 = 0
    private var names: Set<String> = []

    /// An empty archive.
    public init() {}

    /// Bytes written so far.
    public var bytesWritten: UInt64 { offset }

    /// The local header and data of one stored file, under ``safeName(_:)`` of `name`. A repeated name
    /// gets a ` (2)`-style suffix.
    public mutating func add(name: String, data: [UInt8]) throws -> [UInt8] {
        guard entries < 0xFFFF else { throw LimitError(description: "a ZIP without Zip64 holds at most 65,535 files") }
        let unique = uniqueName(name)
        let nameBytes = Array(unique.utf8)
        guard nameBytes.count <= 0xFFFF else { throw LimitError(description: "file name too long for ZIP") }
        let total = offset + 30 + UInt64(nameBytes.count) + UInt64(data.count)
        guard data.count < 0xFFFF_FFFF, total + UInt64(central.count) + 46 + UInt64(nameBytes.count) + 22 < 0xFFFF_FFFF else {
            throw LimitError(description: "a ZIP without Zip64 is at most 4 GiB")
        }
        let crc = CRC32.checksum(data)
        var out: [UInt8] = []
        out.reserveCapacity(30 + nameBytes.count + data.count)
        out.le32(0x0403_4B50)
        out.le16(20)
        out.le16(1 << 11)
        out.le16(0) // version, flags (UTF-8 names), method: store
        out.le16(0)
        out.le16(0x21) // time 00:00, date 1980-01-01
        out.le32(crc)
        out.le32(UInt32(data.count))
        out.le32(UInt32(data.count))
        out.le16(UInt16(nameBytes.count))
        out.le16(0)
        out += nameBytes
        out += data

        central.le32(0x0201_4B50)
        central.le16(20)
        central.le16(20)
        central.le16(1 << 11)
        central.le16(0)
        central.le16(0)
        central.le16(0x21)
        central.le32(crc)
        central.le32(UInt32(data.count))
        central.le32(UInt32(data.count))
        central.le16(UInt16(nameBytes.count))
        central.le16(0)
        central.le16(0)
        central.le16(0)
        central.le16(0)
        central.le32(0)
        central.le32(UInt32(offset))
        central += nameBytes

        entries += 1
        offset += UInt64(out.count)
        return out
    }

    /// The central directory and end record; call once, last.
    public mutating func finish() -> [UInt8] {
        var out = central
        out.le32(0x0605_4B50)
        out.le16(0)
        out.le16(0)
        out.le16(UInt16(entries))
        out.le16(UInt16(entries))
        out.le32(UInt32(central.count))
        out.le32(UInt32(offset))
        out.le16(0)
        offset += UInt64(out.count)
        central = []
        return out
    }

    /// A name no unzip tool can turn into a path outside its folder: the parts between `/` and `\`
    /// that are not empty, `.` or `..`, joined with `_` (so no leading `/`, no `..`, no `\`), control
    /// characters dropped; `file` when nothing is left.
    public static func safeName(_ name: String) -> String {
        let cleaned = String(String.UnicodeScalarView(name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        let parts = cleaned.split(whereSeparator: { $0 == "/" || $0 == "\\" }).filter { $0 != "." && $0 != ".." }
        return parts.isEmpty ? "file" : parts.joined(separator: "_")
    }

    private mutating func uniqueName(_ name: String) -> String {
        let base = Self.safeName(name)
        var candidate = base
        var n = 2
        while names.contains(candidate) {
            if let dot = base.lastIndex(of: "."), dot != base.startIndex {
                candidate = "\(base[..<dot]) (\(n))\(base[dot...])"
            } else {
                candidate = "\(base) (\(n))"
            }
            n += 1
        }
        names.insert(candidate)
        return candidate
    }
}

extension [UInt8] {
    mutating func le16(_ v: UInt16) {
        append(UInt8(v & 0xFF))
        append(UInt8(v >> 8))
    }
    mutating func le32(_ v: UInt32) { for s in stride(from: 0, to: 32, by: 8) { append(UInt8((v >> UInt32(s)) & 0xFF)) } }
}
