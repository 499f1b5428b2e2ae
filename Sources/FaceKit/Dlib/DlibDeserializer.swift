import Foundation

/// Why a dlib serialised stream could not be read.
///
/// Model files are outside input: every malformed, truncated or absurd value ends here,
/// never in a trap or an unbounded allocation.
public struct DlibFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Equatable {
        /// The stream ended before the value was complete.
        case truncated
        /// An integer control byte announced an impossible length (0 or more than the type holds).
        case badIntegerControl
        /// A decoded integer does not fit the requested type (or is negative where a size is expected).
        case integerOutOfRange
        /// A floating point value uses dlib's legacy ASCII encoding, which model files never do.
        case unsupportedFloatEncoding
        /// A count or size announces more elements than the remaining bytes could hold.
        case sizeTooLarge
        /// A bool byte other than ASCII `'0'`/`'1'`.
        case badBool
        /// A structural value (version, tag, name) is not what the format requires.
        case unexpectedValue
    }

    /// The kind of failure.
    public let code: Code
    /// Byte offset in the stream where the failing value starts.
    public let offset: Int
    /// Human-readable explanation.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    /// `message (at byte offset)`.
    public var description: String { "\(message) (at byte \(offset))" }
}

/// A model file could not be read from disk.
public struct DlibFileError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// The POSIX error number.
    public let errno: Int32
    /// `cannot read <path>: <strerror>`.
    public var description: String { "cannot read \(path): \(String(cString: strerror(errno)))" }
}

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
    public private(set) var offset: Int

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

    /// Reads a whole file with one `read` loop straight into the array (no intermediate copy).
    /// Throws `CocoaError`-free POSIX errors as `DlibFileError`.
    public static func readFile(_ path: String) throws -> [UInt8] {
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
                if n <= 0 { failure = n < 0 ? errno : EIO; break }
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
        return Array(bytes[offset ..< offset + count])
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
    private mutating func readIntegerParts(maxBytes: Int, signed: Bool) throws(DlibFormatError) -> (magnitude: UInt64, negative: Bool) {
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
    private func integerError(at start: Int, maxBytes: Int, signed: Bool) -> DlibFormatError {
        guard start < bytes.count else {
            return DlibFormatError(.truncated, offset: start, "expected an integer, stream ended")
        }
        let control = bytes[start]
        let size = Int(control & (signed ? 0x0F : 0x8F))
        guard size >= 1, size <= maxBytes else {
            return DlibFormatError(.badIntegerControl, offset: start,
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
    private mutating func checkFits(count: UInt64, bytesEach: UInt64, start: Int) throws(DlibFormatError) {
        let (total, overflow) = count.multipliedReportingOverflow(by: bytesEach)
        guard !overflow, total <= UInt64(remaining), count <= UInt64(Int.max) else {
            offset = start
            throw DlibFormatError(.sizeTooLarge, offset: start,
                                  "\(count) elements of at least \(bytesEach) bytes cannot fit in the \(remaining) remaining bytes")
        }
    }

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
                  let (mantissa, exponent, next) = Self.decodeFloatDetails(base, buffer.count, start) else { return nil }
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
            for _ in 0 ..< count { _ = try probe.readFloat() }
            throw DlibFormatError(.truncated, offset: start, "cannot read \(count) floats")
        }
        values.append(contentsOf: repeatElement(0, count: count))
        let end: Int? = values.withUnsafeMutableBufferPointer { output in bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            let n = buffer.count
            var pos = start
            for slot in originalCount ..< originalCount + count {
                guard let (mantissa, exponent, next) = Self.decodeFloatDetails(base, n, pos) else { return nil }
                pos = next
                output[slot] = Self.floatValue(mantissa: mantissa, exponent: exponent)
            }
            return pos
        } }
        if let end {
            offset = end
            return
        }
        // Slow path: find and report the failing value precisely, then restore the cursor.
        values.removeSubrange(originalCount...)
        var probe = self
        for _ in 0 ..< count { _ = try probe.readFloat() }
        throw DlibFormatError(.truncated, offset: start, "cannot read \(count) floats")
    }

    /// Decodes one binary `float_details` (mantissa, exponent) at `pos` without consuming:
    /// the shared fast path of every float read. `nil` when anything is off (truncation,
    /// bad control bytes, out-of-range values, legacy ASCII encoding); callers then take the
    /// checked path, which names the error.
    @inline(__always)
    private static func decodeFloatDetails(_ base: UnsafePointer<UInt8>, _ n: Int, _ start: Int) -> (mantissa: Int64, exponent: Int, next: Int)? {
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
            while i > pos { magnitude = magnitude << 8 | UInt64(base[i]); i -= 1 }
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
    private static func floatValue(mantissa: Int64, exponent: Int) -> Float {
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

    // MARK: - Strings and containers

    /// Reads a `std::string`: an unsigned length, then that many bytes (decoded as UTF-8,
    /// invalid sequences repaired).
    public mutating func readString() throws(DlibFormatError) -> String {
        let count = try readCount(minimumBytesPerElement: 1)
        let raw = try readBytes(count: count)
        return String(decoding: raw, as: UTF8.self)
    }

    /// Reads a string and throws `unexpectedValue` unless it equals `expected`
    /// (dlib's `check_serialized_version` and layer name tags).
    public mutating func expectString(_ expected: String) throws(DlibFormatError) {
        let start = offset
        let value = try readString()
        guard value == expected else {
            offset = start
            throw DlibFormatError(.unexpectedValue, offset: start, "expected \"\(expected)\", found \"\(value.prefix(80))\"")
        }
    }

    /// Reads a `std::vector<T>`: an unsigned count, then each element with `element`.
    /// `minimumBytesPerElement` bounds the count by the remaining bytes before anything is allocated.
    public mutating func readVector<T>(minimumBytesPerElement: Int = 1,
                                       _ element: (inout DlibDeserializer) throws(DlibFormatError) -> T) throws(DlibFormatError) -> [T] {
        let count = try readCount(minimumBytesPerElement: max(minimumBytesPerElement, 1))
        var result: [T] = []
        result.reserveCapacity(count)
        for _ in 0 ..< count {
            result.append(try element(&self))
        }
        return result
    }

    /// Reads a `std::vector<float>`.
    public mutating func readFloatVector() throws(DlibFormatError) -> [Float] {
        try readVector(minimumBytesPerElement: 2) { (r: inout DlibDeserializer) throws(DlibFormatError) in try r.readFloat() }
    }

    // MARK: - Matrices

    /// Reads a `dlib::matrix` header (rows, columns). The current format writes both negated;
    /// the legacy one positive. The element count is checked against the remaining bytes.
    public mutating func readMatrixShape(minimumBytesPerElement: Int = 2) throws(DlibFormatError) -> (rows: Int, columns: Int) {
        let start = offset
        var rows = try readInt64()
        var columns = try readInt64()
        if rows < 0 || columns < 0 {
            // The "newer" format negates both; a sign mismatch cannot come from dlib.
            guard rows <= 0, columns <= 0, rows != .min, columns != .min else {
                offset = start
                throw DlibFormatError(.unexpectedValue, offset: start, "matrix shape \(rows)x\(columns) has mixed signs")
            }
            rows = -rows
            columns = -columns
        }
        let (elements, overflow) = UInt64(rows).multipliedReportingOverflow(by: UInt64(columns))
        guard !overflow else {
            offset = start
            throw DlibFormatError(.sizeTooLarge, offset: start, "matrix shape \(rows)x\(columns) overflows")
        }
        try checkFits(count: elements, bytesEach: UInt64(max(minimumBytesPerElement, 0)), start: start)
        return (Int(rows), Int(columns))
    }

    /// Reads a `dlib::matrix<float>` (or a column vector) with elements row-major.
    public mutating func readFloatMatrix() throws(DlibFormatError) -> DlibMatrix<Float> {
        let start = offset
        let (rows, columns) = try readMatrixShape()
        var values: [Float] = []
        values.reserveCapacity(rows * columns)
        do {
            for _ in 0 ..< rows * columns { values.append(try readFloat()) }
        } catch {
            offset = start
            throw error
        }
        return DlibMatrix(rows: rows, columns: columns, values: values)
    }

    /// Reads a `dlib::matrix<double>` with elements row-major.
    public mutating func readDoubleMatrix() throws(DlibFormatError) -> DlibMatrix<Double> {
        let start = offset
        let (rows, columns) = try readMatrixShape()
        var values: [Double] = []
        values.reserveCapacity(rows * columns)
        do {
            for _ in 0 ..< rows * columns { values.append(try readDouble()) }
        } catch {
            offset = start
            throw error
        }
        return DlibMatrix(rows: rows, columns: columns, values: values)
    }

    // MARK: - Raw tensor data

    /// Reads a `dlib::resizable_tensor`: `int` version 2, four `long long` dimensions, then
    /// the raw little-endian floats. The element count is checked against the remaining bytes
    /// before anything is allocated.
    public mutating func readTensor() throws(DlibFormatError) -> DlibTensor {
        let start = offset
        do throws(DlibFormatError) {
            let version = try readInt32()
            guard version == 2 else {
                throw DlibFormatError(.unexpectedValue, offset: start, "tensor version \(version), expected 2")
            }
            var dims: [Int] = []
            for _ in 0 ..< 4 {
                let d = try readInt64()
                guard d >= 0, d <= Int64(Int32.max) else {
                    throw DlibFormatError(.integerOutOfRange, offset: start, "tensor dimension \(d) out of range")
                }
                dims.append(Int(d))
            }
            var total: UInt64 = 1
            for d in dims {
                let (product, overflow) = total.multipliedReportingOverflow(by: UInt64(d))
                guard !overflow else { throw DlibFormatError(.sizeTooLarge, offset: start, "tensor shape \(dims) overflows") }
                total = product
            }
            guard total <= UInt64(remaining / 4) else {
                throw DlibFormatError(.sizeTooLarge, offset: start, "tensor \(dims) needs \(total) floats, \(remaining) bytes remain")
            }
            let values = try readRawFloats(count: Int(total))
            return DlibTensor(samples: dims[0], channels: dims[1], rows: dims[2], columns: dims[3], values: values)
        } catch {
            offset = start
            throw error
        }
    }

    /// Reads `count` raw little-endian IEEE `float32` values, as `dlib::tensor` stores its data.
    public mutating func readRawFloats(count: Int) throws(DlibFormatError) -> [Float] {
        let start = offset
        guard count >= 0 else {
            throw DlibFormatError(.integerOutOfRange, offset: start, "negative float count \(count)")
        }
        try checkFits(count: UInt64(count), bytesEach: 4, start: start)
        var result = [Float](repeating: 0, count: count)
        result.withUnsafeMutableBytes { destination in
            bytes.withUnsafeBytes { source in
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset ..< offset + count * 4]))
            }
        }
        #if _endian(big)
        for i in result.indices { result[i] = Float(bitPattern: result[i].bitPattern.byteSwapped) }
        #endif
        offset += count * 4
        return result
    }
}

/// A `dlib::resizable_tensor` as serialised in DNN model files: its 4-D shape
/// (samples, channels `k`, rows, columns) and its `float32` values in that (NCHW) order.
public struct DlibTensor: Sendable, Equatable {
    /// Number of samples (`num_samples()`).
    public let samples: Int
    /// Number of channels (`k()`).
    public let channels: Int
    /// Rows (`nr()`).
    public let rows: Int
    /// Columns (`nc()`).
    public let columns: Int
    /// `samples * channels * rows * columns` values.
    public let values: [Float]
}

/// A dense row-major matrix as read from a dlib stream.
public struct DlibMatrix<Element: Sendable & Equatable>: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// `rows * columns` elements, row-major.
    public let values: [Element]

    /// Creates a matrix; `values.count` must be `rows * columns`.
    public init(rows: Int, columns: Int, values: [Element]) {
        precondition(values.count == rows * columns, "DlibMatrix: element count does not match shape")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// The element at `row`, `column`.
    public subscript(row: Int, column: Int) -> Element { values[row * columns + column] }
}
