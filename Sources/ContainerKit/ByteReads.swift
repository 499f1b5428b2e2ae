/// Bounds-checked integer reads over a byte array: nil past the end, never a trap.
struct ByteReads {
    let bytes: [UInt8]

    func u8(_ o: Int) -> UInt8? { o >= 0 && o < bytes.count ? bytes[o] : nil }
    func u16(_ o: Int) -> UInt16? { uint(o, size: 2).map { UInt16($0) } }
    func u32(_ o: Int) -> UInt32? { uint(o, size: 4).map { UInt32($0) } }

    /// An unsigned big-endian integer of `size` bytes (0 to 8; 0 reads as 0).
    func uint(_ o: Int, size: Int) -> UInt64? {
        guard o >= 0, size >= 0, size <= 8, o <= bytes.count - size else { return nil }
        var v: UInt64 = 0
        for i in 0..<size { v = v << 8 | UInt64(bytes[o + i]) }
        return v
    }

    /// An unsigned little-endian integer of `size` bytes (0 to 8).
    func uintLE(_ o: Int, size: Int) -> UInt64? {
        guard o >= 0, size >= 0, size <= 8, o <= bytes.count - size else { return nil }
        var v: UInt64 = 0
        for i in (0..<size).reversed() { v = v << 8 | UInt64(bytes[o + i]) }
        return v
    }

    /// The four-character code at `o` (chunk and box types).
    func fourCC(_ o: Int) -> String? {
        guard o >= 0, o <= bytes.count - 4 else { return nil }
        return String(decoding: bytes[o..<(o + 4)], as: UTF8.self)
    }
}
