extension DlibDeserializer {
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
    public mutating func readVector<T>(
        minimumBytesPerElement: Int = 1,
        _ element: (inout DlibDeserializer) throws(DlibFormatError) -> T
    ) throws(DlibFormatError) -> [T] {
        let count = try readCount(minimumBytesPerElement: max(minimumBytesPerElement, 1))
        var result: [T] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
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
            for _ in 0..<rows * columns { values.append(try readFloat()) }
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
            for _ in 0..<rows * columns { values.append(try readDouble()) }
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
            for _ in 0..<4 {
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
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count * 4]))
            }
        }
        #if _endian(big)
            for i in result.indices { result[i] = Float(bitPattern: result[i].bitPattern.byteSwapped) }
        #endif
        offset += count * 4
        return result
    }
}
