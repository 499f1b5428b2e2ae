#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A cursor over bytes in dlib's portable serialisation format (`dlib/serialize.h`).
///
/// dlib writes integers as a control byte (low nibble = number of little-endian magnitude
/// bytes, bit 7 = negative) followed by the bytes; floats and doubles as a signed integer
/// mantissa and a 16-bit exponent (`dlib/float_details.h`) with three reserved exponents for
/// +inf, -inf and NaN; strings and containers as an unsigned length then the elements;
/// `dlib::matrix` as rows and columns (negated in the current format) then the elements in
/// row-major order; and DNN tensors as raw little-endian `float32`s. This type reads all of
/// them and is shared by the shape predictor and the DNN model loaders.
public struct DlibDeserializer: Sendable {
    /// The whole stream.
    public let bytes: [UInt8]
    /// Offset of the next unread byte.
    public internal(set) var offset: Int

    /// Exponent marking +infinity in `float_details`.
    static let exponentInfinity: Int64 = 32000
    /// Exponent marking -infinity in `float_details`.
    static let exponentNegativeInfinity: Int64 = 32001
    /// Exponent marking NaN in `float_details`.
    static let exponentNaN: Int64 = 32002

    /// Starts reading `bytes` at offset 0.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    /// Reads a whole file into memory and starts reading it.
    public init(contentsOfFile path: String) throws {
        self.init(bytes: try Self.readFile(path))
    }

    /// Reads a whole regular file with one `read` loop straight into the array (no
    /// intermediate copy); `DlibFileError` carries the POSIX error when it cannot.
    public static func readFile(_ path: String) throws(DlibFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DlibFileError(path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DlibFileError(path: path, errno: errno) }
        let size = Int(info.st_size)
        guard size >= 0, (info.st_mode & S_IFMT) == S_IFREG else { throw DlibFileError(path: path, errno: EINVAL) }
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n < 0, errno == EINTR { continue }
                if n <= 0 {
                    failure = n < 0 ? errno : EIO
                    break
                }
                done += n
            }
            count = done
        }
        guard failure == 0 else { throw DlibFileError(path: path, errno: failure) }
        return bytes
    }

    /// Bytes not yet read.
    public var remaining: Int { bytes.count - offset }

    /// Whether every byte has been consumed.
    public var isAtEnd: Bool { offset >= bytes.count }

    // MARK: - Bytes

    /// Reads one raw byte.
    public mutating func readByte() throws(DlibFormatError) -> UInt8 {
        guard offset < bytes.count else {
            throw DlibFormatError(.truncated, offset: offset, "expected a byte, stream ended")
        }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads `count` raw bytes.
    public mutating func readBytes(count: Int) throws(DlibFormatError) -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw DlibFormatError(.truncated, offset: offset, "expected \(count) bytes, \(remaining) remain")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Skips `count` bytes.
    public mutating func skip(_ count: Int) throws(DlibFormatError) {
        guard count >= 0, count <= remaining else {
            throw DlibFormatError(.truncated, offset: offset, "cannot skip \(count) bytes, \(remaining) remain")
        }
        offset += count
    }

    /// Reads a `bool`, which dlib stores as the ASCII byte `'0'` or `'1'`.
    public mutating func readBool() throws(DlibFormatError) -> Bool {
        let start = offset
        switch try readByte() {
        case UInt8(ascii: "0"): return false
        case UInt8(ascii: "1"): return true
        case let b: throw DlibFormatError(.badBool, offset: start, "bool byte \(b) is neither '0' nor '1'")
        }
    }

    // MARK: - Integers

    /// Reads the control byte and magnitude of an integer of at most `maxBytes` bytes.
    /// Returns the magnitude and the sign flag. The hot path of every model load: one bounds
    /// check, then the bytes are read unchecked.
    @inline(__always)
    mutating func readIntegerParts(maxBytes: Int, signed: Bool) throws(DlibFormatError) -> (magnitude: UInt64, negative: Bool) {
        let start = offset
        let decoded: (magnitude: UInt64, negative: Bool, size: Int)? = bytes.withUnsafeBufferPointer { buffer in
            guard start < buffer.count, let base = buffer.baseAddress else { return nil }
            let control = base[start]
            // dlib's signed reader keeps bit 7 as the sign and ignores bits 4-6; the unsigned
            // reader keeps bit 7 in the size, so a "negative" unsigned is a size error.
            let size = Int(control & (signed ? 0x0F : 0x8F))
            guard size >= 1, size <= maxBytes, size < buffer.count - start else { return nil }
            var magnitude: UInt64 = 0
            var i = start + size
            while i > start {
                magnitude = magnitude << 8 | UInt64(base[i])
                i -= 1
            }
            return (magnitude, signed && control & 0x80 != 0, size)
        }
        guard let decoded else { throw integerError(at: start, maxBytes: maxBytes, signed: signed) }
        offset = start + 1 + decoded.size
        return (decoded.magnitude, decoded.negative)
    }

    /// Explains why no integer could be read at `start` (the slow path of `readIntegerParts`).
    @inline(never)
    func integerError(at start: Int, maxBytes: Int, signed: Bool) -> DlibFormatError {
        guard start < bytes.count else {
            return DlibFormatError(.truncated, offset: start, "expected an integer, stream ended")
        }
        let control = bytes[start]
        let size = Int(control & (signed ? 0x0F : 0x8F))
        guard size >= 1, size <= maxBytes else {
            return DlibFormatError(
                .badIntegerControl, offset: start,
                "integer control byte 0x\(String(control, radix: 16)) announces \(size) bytes (1...\(maxBytes) allowed)")
        }
        return DlibFormatError(.truncated, offset: start, "integer needs \(size) bytes, \(bytes.count - start - 1) remain")
    }

    /// Reads a signed integer of up to 8 bytes (dlib's `int64`, `long`, `long long`).
    public mutating func readInt64() throws(DlibFormatError) -> Int64 {
        let start = offset
        let (magnitude, negative) = try readIntegerParts(maxBytes: 8, signed: true)
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else {
                offset = start
                throw DlibFormatError(.integerOutOfRange, offset: start, "negative integer magnitude \(magnitude) exceeds Int64")
            }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else {
            offset = start
            throw DlibFormatError(.integerOutOfRange, offset: start, "integer \(magnitude) exceeds Int64")
        }
        return Int64(magnitude)
    }

    /// Reads a signed integer of up to 4 bytes (dlib's `int`).
    public mutating func readInt32() throws(DlibFormatError) -> Int32 {
        let start = offset
        let (magnitude, negative) = try readIntegerParts(maxBytes: 4, signed: true)
        let value = negative ? -Int64(magnitude) : Int64(magnitude)
        guard let result = Int32(exactly: value) else {
            offset = start
            throw DlibFormatError(.integerOutOfRange, offset: start, "integer \(value) exceeds Int32")
        }
        return result
    }

    /// Reads a signed integer of up to 2 bytes (dlib's `short`, `int16`).
    public mutating func readInt16() throws(DlibFormatError) -> Int16 {
        let start = offset
        let (magnitude, negative) = try readIntegerParts(maxBytes: 2, signed: true)
        let value = negative ? -Int64(magnitude) : Int64(magnitude)
        guard let result = Int16(exactly: value) else {
            offset = start
            throw DlibFormatError(.integerOutOfRange, offset: start, "integer \(value) exceeds Int16")
        }
        return result
    }

    /// Reads an unsigned integer of up to 8 bytes (dlib's `uint64`, `unsigned long`).
    public mutating func readUInt64() throws(DlibFormatError) -> UInt64 {
        try readIntegerParts(maxBytes: 8, signed: false).magnitude
    }

    /// Reads an unsigned integer of up to 4 bytes (dlib's `unsigned int`, `uint32`).
    public mutating func readUInt32() throws(DlibFormatError) -> UInt32 {
        UInt32(try readIntegerParts(maxBytes: 4, signed: false).magnitude)
    }

    /// Reads a signed integer and checks it is a usable count/index in `0...limit`.
    public mutating func readInt(in range: ClosedRange<Int>) throws(DlibFormatError) -> Int {
        let start = offset
        let value = try readInt64()
        guard value >= Int64(range.lowerBound), value <= Int64(range.upperBound) else {
            offset = start
            throw DlibFormatError(.integerOutOfRange, offset: start, "value \(value) outside \(range)")
        }
        return Int(value)
    }

    /// Reads an unsigned element count (as dlib writes container sizes) and checks that
    /// `count * minimumBytesPerElement` still fits in the remaining bytes, so a hostile count
    /// can never drive an allocation.
    public mutating func readCount(minimumBytesPerElement: Int = 1) throws(DlibFormatError) -> Int {
        let start = offset
        let count = try readUInt64()
        try checkFits(count: count, bytesEach: UInt64(max(minimumBytesPerElement, 0)), start: start)
        return Int(count)
    }

    /// Throws `sizeTooLarge` unless `count` elements of `bytesEach` bytes fit in what remains.
    mutating func checkFits(count: UInt64, bytesEach: UInt64, start: Int) throws(DlibFormatError) {
        let (total, overflow) = count.multipliedReportingOverflow(by: bytesEach)
        guard !overflow, total <= UInt64(remaining), count <= UInt64(Int.max) else {
            offset = start
            throw DlibFormatError(
                .sizeTooLarge, offset: start,
                "\(count) elements of at least \(bytesEach) bytes cannot fit in the \(remaining) remaining bytes")
        }
    }
}
