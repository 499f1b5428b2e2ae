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
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        self.init(bytes: [UInt8](data))
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
    /// Returns the magnitude and the sign flag.
    private mutating func readIntegerParts(maxBytes: Int, signed: Bool) throws(DlibFormatError) -> (magnitude: UInt64, negative: Bool) {
        let start = offset
        let control = try readByte()
        // dlib's signed reader keeps bit 7 as the sign and ignores bits 4-6; the unsigned
        // reader keeps bit 7 in the size, so a "negative" unsigned is a size error.
        let size = signed ? Int(control & 0x0F) : Int(control & 0x8F)
        let negative = signed && (control & 0x80) != 0
        guard size >= 1, size <= maxBytes else {
            offset = start
            throw DlibFormatError(.badIntegerControl, offset: start,
                                  "integer control byte 0x\(String(control, radix: 16)) announces \(size) bytes (1...\(maxBytes) allowed)")
        }
        guard size <= remaining else {
            offset = start
            throw DlibFormatError(.truncated, offset: start, "integer needs \(size) bytes, \(remaining) remain")
        }
        var magnitude: UInt64 = 0
        for i in stride(from: size - 1, through: 0, by: -1) {
            magnitude = magnitude << 8 | UInt64(bytes[offset + i])
        }
        offset += size
        return (magnitude, negative)
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
            return scalbn(Double(mantissa), Int(exponent))
        case Self.exponentInfinity: return .infinity
        case Self.exponentNegativeInfinity: return -.infinity
        default: return .nan
        }
    }

    /// Reads a `float` (also valid for values written as `double`, rounded as dlib does).
    public mutating func readFloat() throws(DlibFormatError) -> Float {
        let (mantissa, exponent) = try readFloatDetails()
        switch Int64(exponent) {
        case ..<Self.exponentInfinity:
            // ldexp((float)mantissa, exponent), as dlib's convert_to_T<float>.
            return scalbnf(Float(mantissa), Int32(exponent))
        case Self.exponentInfinity: return .infinity
        case Self.exponentNegativeInfinity: return -.infinity
        default: return .nan
        }
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
