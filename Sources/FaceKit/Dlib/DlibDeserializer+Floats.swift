#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

extension DlibDeserializer {
    // MARK: - Floating point

    /// Reads a `float_details` pair: the int64 mantissa and the int16 exponent (or a special value).
    public mutating func readFloatDetails() throws(DlibFormatError) -> (mantissa: Int64, exponent: Int16) {
        let start = offset
        guard offset < bytes.count else {
            throw DlibFormatError(.truncated, offset: offset, "expected a floating point value, stream ended")
        }
        // dlib's binary float format starts with an integer control byte, whose bits 4-6 are
        // always 0; the legacy ASCII format has one of them set.
        guard bytes[offset] & 0x70 == 0 else {
            throw DlibFormatError(.unsupportedFloatEncoding, offset: start, "legacy ASCII floating point encoding is not supported")
        }
        do {
            let mantissa = try readInt64()
            let exponent = try readInt16()
            return (mantissa, exponent)
        } catch {
            offset = start
            throw error
        }
    }

    /// Reads a `double` (also valid for values written as `float`).
    public mutating func readDouble() throws(DlibFormatError) -> Double {
        let (mantissa, exponent) = try readFloatDetails()
        switch Int64(exponent) {
        case ..<Self.exponentInfinity:
            // ldexp((double)mantissa, exponent), as dlib's convert_to_T<double>.
            return Double(sign: .plus, exponent: Int(exponent), significand: Double(mantissa))
        case Self.exponentInfinity: return .infinity
        case Self.exponentNegativeInfinity: return -.infinity
        default: return .nan
        }
    }

    /// Reads a `float` (also valid for values written as `double`, rounded as dlib does).
    public mutating func readFloat() throws(DlibFormatError) -> Float {
        let start = offset
        let fast = bytes.withUnsafeBufferPointer { buffer -> (Float, Int)? in
            guard let base = buffer.baseAddress,
                let (mantissa, exponent, next) = Self.decodeFloatDetails(base, buffer.count, start)
            else { return nil }
            return (Self.floatValue(mantissa: mantissa, exponent: exponent), next)
        }
        if let (value, next) = fast {
            offset = next
            return value
        }
        let (mantissa, exponent) = try readFloatDetails()
        return Self.floatValue(mantissa: mantissa, exponent: Int(exponent))
    }

    /// Reads `count` consecutive `float`s and appends them to `values`: the bulk form of
    /// `readFloat()` for weight arrays (one bounds check per value, no per-value error
    /// plumbing). On failure nothing is consumed and the error is the one `readFloat()` gives.
    public mutating func appendFloats(_ count: Int, to values: inout [Float]) throws(DlibFormatError) {
        guard count > 0 else { return }
        let start = offset
        let originalCount = values.count
        // Cheap refusal of impossible counts (each float takes at least 4 bytes) before growing.
        guard count <= remaining / 4 else {
            var probe = self
            for _ in 0..<count { _ = try probe.readFloat() }
            throw DlibFormatError(.truncated, offset: start, "cannot read \(count) floats")
        }
        values.append(contentsOf: repeatElement(0, count: count))
        let end: Int? = values.withUnsafeMutableBufferPointer { output in
            bytes.withUnsafeBufferPointer { buffer -> Int? in
                guard let base = buffer.baseAddress else { return nil }
                let n = buffer.count
                var pos = start
                for slot in originalCount..<originalCount + count {
                    guard let (mantissa, exponent, next) = Self.decodeFloatDetails(base, n, pos) else { return nil }
                    pos = next
                    output[slot] = Self.floatValue(mantissa: mantissa, exponent: exponent)
                }
                return pos
            }
        }
        if let end {
            offset = end
            return
        }
        // Slow path: find and report the failing value precisely, then restore the cursor.
        values.removeSubrange(originalCount...)
        var probe = self
        for _ in 0..<count { _ = try probe.readFloat() }
        throw DlibFormatError(.truncated, offset: start, "cannot read \(count) floats")
    }

    /// Decodes one binary `float_details` (mantissa, exponent) at `pos` without consuming:
    /// the shared fast path of every float read. `nil` when anything is off (truncation,
    /// bad control bytes, out-of-range values, legacy ASCII encoding); callers then take the
    /// checked path, which names the error.
    @inline(__always)
    static func decodeFloatDetails(_ base: UnsafePointer<UInt8>, _ n: Int, _ start: Int) -> (mantissa: Int64, exponent: Int, next: Int)? {
        var pos = start
        // Mantissa: signed, 1-8 magnitude bytes; bits 4-6 must be clear (binary format).
        guard pos < n else { return nil }
        let c1 = base[pos]
        let s1 = Int(c1 & 0x0F)
        guard c1 & 0x70 == 0, s1 >= 1, s1 <= 8, pos + 1 + s1 < n else { return nil }
        var magnitude: UInt64
        if pos + 9 <= n {
            // One unaligned little-endian load, masked to the announced length.
            let raw = UInt64(littleEndian: UnsafeRawPointer(base + pos + 1).loadUnaligned(as: UInt64.self))
            magnitude = s1 == 8 ? raw : raw & ((1 << UInt64(8 * s1)) - 1)
        } else {
            magnitude = 0
            var i = pos + s1
            while i > pos {
                magnitude = magnitude << 8 | UInt64(base[i])
                i -= 1
            }
        }
        let negative = c1 & 0x80 != 0
        guard magnitude <= UInt64(Int64.max) || (negative && magnitude == UInt64(Int64.max) + 1) else { return nil }
        pos += 1 + s1
        // Exponent: signed, 1-2 magnitude bytes.
        let c2 = base[pos]
        let s2 = Int(c2 & 0x0F)
        guard s2 >= 1, s2 <= 2, pos + s2 < n else { return nil }
        var e = Int(base[pos + 1])
        if s2 == 2 { e |= Int(base[pos + 2]) << 8 }
        guard e <= Int(Int16.max) || (c2 & 0x80 != 0 && e == Int(Int16.max) + 1) else { return nil }
        pos += 1 + s2
        let mantissa = negative ? (magnitude > UInt64(Int64.max) ? Int64.min : -Int64(magnitude)) : Int64(magnitude)
        return (mantissa, c2 & 0x80 != 0 ? -e : e, pos)
    }

    /// The `Float` a decoded `float_details` stands for, special exponents included.
    @inline(__always)
    static func floatValue(mantissa: Int64, exponent: Int) -> Float {
        switch Int64(exponent) {
        case ..<exponentInfinity: return float(mantissa: mantissa, exponent: exponent)
        case exponentInfinity: return .infinity
        case exponentNegativeInfinity: return -.infinity
        default: return .nan
        }
    }

    /// `ldexp((float)mantissa, exponent)`, as dlib's `convert_to_T<float>`: the mantissa is
    /// rounded to `Float` once, then scaled exactly by a power of two (the product of a float
    /// and a normal power of two rounds at most once, exactly like `ldexp`).
    @inline(__always)
    static func float(mantissa: Int64, exponent: Int) -> Float {
        if exponent >= -126, exponent <= 127 {
            return Float(mantissa) * Float(bitPattern: UInt32(exponent + 127) << 23)
        }
        return Float(sign: .plus, exponent: exponent, significand: Float(mantissa))
    }
}
