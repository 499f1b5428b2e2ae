import Foundation
import Testing

@testable import FaceKit

/// Byte vectors written by hand from dlib/serialize.h and dlib/float_details.h.
@Suite struct DlibDeserializerTests {
    @Test func readsUnsignedIntegers() throws {
        var r = DlibDeserializer(bytes: [0x01, 0x05, 0x02, 0x34, 0x12, 0x08, 1, 2, 3, 4, 5, 6, 7, 0xFF])
        #expect(try r.readUInt64() == 5)
        #expect(try r.readUInt64() == 0x1234)
        #expect(try r.readUInt64() == 0xFF07_0605_0403_0201)
        #expect(r.isAtEnd)
        #expect(r.offset == 14)
    }

    @Test func readsSignedIntegers() throws {
        // 5, -5, -300 (0x012C), Int64.min (magnitude 2^63).
        var r = DlibDeserializer(bytes: [
            0x01, 0x05, 0x81, 0x05, 0x82, 0x2C, 0x01,
            0x88, 0, 0, 0, 0, 0, 0, 0, 0x80,
        ])
        #expect(try r.readInt64() == 5)
        #expect(try r.readInt64() == -5)
        #expect(try r.readInt32() == -300)
        #expect(try r.readInt64() == Int64.min)
        #expect(r.remaining == 0)
    }

    @Test func rejectsBadControlBytes() {
        // Size 0, size 9, and a sign bit on an unsigned value.
        for bytes: [UInt8] in [[0x00], [0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0x81, 0x01]] {
            var r = DlibDeserializer(bytes: bytes)
            #expect(throws: DlibFormatError.self) { try r.readUInt64() }
            #expect(r.offset == 0)
        }
        var small = DlibDeserializer(bytes: [0x03, 1, 2, 3])
        #expect { try small.readInt16() } throws: { ($0 as? DlibFormatError)?.code == .badIntegerControl }
        var big = DlibDeserializer(bytes: [0x08, 0, 0, 0, 0, 0, 0, 0, 0x80])
        #expect { try big.readInt64() } throws: { ($0 as? DlibFormatError)?.code == .integerOutOfRange }
    }

    @Test func rejectsTruncation() {
        var r = DlibDeserializer(bytes: [0x04, 1, 2])
        #expect { try r.readUInt64() } throws: { ($0 as? DlibFormatError)?.code == .truncated }
        var empty = DlibDeserializer(bytes: [])
        #expect { try empty.readFloat() } throws: { ($0 as? DlibFormatError)?.code == .truncated }
        var floatCut = DlibDeserializer(bytes: [0x01, 0x03])
        #expect { try floatCut.readDouble() } throws: { ($0 as? DlibFormatError)?.code == .truncated }
        #expect(floatCut.offset == 0)
    }

    @Test func readsFloatsAndDoubles() throws {
        // 0.75 = 3 * 2^-2; -1.5 = -3 * 2^-1; 1024 = 1 * 2^10; 0 = 0 * 2^0.
        var r = DlibDeserializer(bytes: [
            0x01, 0x03, 0x81, 0x02,
            0x81, 0x03, 0x81, 0x01,
            0x01, 0x01, 0x01, 0x0A,
            0x01, 0x00, 0x01, 0x00,
        ])
        #expect(try r.readFloat() == 0.75)
        #expect(try r.readDouble() == -1.5)
        #expect(try r.readFloat() == 1024)
        #expect(try r.readDouble() == 0)
    }

    @Test func readsSpecialFloatValues() throws {
        // exponent 32000 = 0x7D00 (+inf), 32001 (-inf), 32002 (NaN); mantissa 0.
        var r = DlibDeserializer(bytes: [
            0x01, 0x00, 0x02, 0x00, 0x7D,
            0x01, 0x00, 0x02, 0x01, 0x7D,
            0x01, 0x00, 0x02, 0x02, 0x7D,
        ])
        #expect(try r.readFloat() == .infinity)
        #expect(try r.readDouble() == -.infinity)
        #expect(try r.readFloat().isNaN)
    }

    @Test func rejectsLegacyAsciiFloats() {
        var r = DlibDeserializer(bytes: Array("1.5 ".utf8))
        #expect { try r.readFloat() } throws: { ($0 as? DlibFormatError)?.code == .unsupportedFloatEncoding }
    }

    @Test func roundTripsEncodedValues() throws {
        let values: [Double] = [0.1, -123.456, 1e-300, 6.02e23, .pi, -0.0, 1, -1e-5]
        var bytes: [UInt8] = []
        for v in values { bytes += DlibTestEncoder.double(v) }
        var r = DlibDeserializer(bytes: bytes)
        for v in values {
            let got = try r.readDouble()
            #expect(got == v, "\(v) -> \(got)")
        }
        let floats: [Float] = [0.1, -3.25, 1e-20, 12345.678]
        bytes = floats.flatMap { DlibTestEncoder.double(Double($0), digits: 24) }
        r = DlibDeserializer(bytes: bytes)
        for v in floats {
            let got = try r.readFloat()
            #expect(got == v, "\(v) -> \(got)")
        }
    }

    @Test func readsStringsAndVectors() throws {
        var bytes: [UInt8] = [0x01, 0x05] + Array("hello".utf8)
        bytes += [0x01, 0x03] + [0x01, 0x01, 0x01, 0x00, 0x01, 0x02, 0x01, 0x00, 0x81, 0x03, 0x01, 0x00]
        var r = DlibDeserializer(bytes: bytes)
        #expect(try r.readString() == "hello")
        #expect(try r.readFloatVector() == [1, 2, -3])
        #expect(r.isAtEnd)
    }

    @Test func expectStringChecksTags() throws {
        var r = DlibDeserializer(bytes: [0x01, 0x03] + Array("abc".utf8))
        #expect { try r.expectString("abd") } throws: { ($0 as? DlibFormatError)?.code == .unexpectedValue }
        #expect(r.offset == 0)
        try r.expectString("abc")
    }

    @Test func hostileCountsNeverAllocate() {
        // A string claiming 2^60 bytes, a vector claiming 2^40 floats, a matrix of 2^31 x 2^31.
        var s = DlibDeserializer(bytes: [0x08, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x41])
        #expect { try s.readString() } throws: { ($0 as? DlibFormatError)?.code == .sizeTooLarge }
        var v = DlibDeserializer(bytes: [0x06, 0, 0, 0, 0, 0, 0x01])
        #expect { try v.readFloatVector() } throws: { ($0 as? DlibFormatError)?.code == .sizeTooLarge }
        var m = DlibDeserializer(bytes: [0x84, 0, 0, 0, 0x80, 0x84, 0, 0, 0, 0x80])
        #expect { try m.readFloatMatrix() } throws: { ($0 as? DlibFormatError)?.code == .sizeTooLarge }
        var raw = DlibDeserializer(bytes: [1, 2, 3, 4, 5, 6, 7])
        #expect { try raw.readRawFloats(count: 2) } throws: { ($0 as? DlibFormatError)?.code == .sizeTooLarge }
        #expect { try raw.readRawFloats(count: Int.max / 2) } throws: { ($0 as? DlibFormatError)?.code == .sizeTooLarge }
    }

    @Test func readsMatricesInBothShapeConventions() throws {
        let elements: [UInt8] = (1...6).flatMap { [0x01, UInt8($0), 0x01, 0x00] }
        // New format: -2, -3; old format: 2, 3.
        var r = DlibDeserializer(bytes: [0x81, 0x02, 0x81, 0x03] + elements + [0x01, 0x02, 0x01, 0x03] + elements)
        let a = try r.readFloatMatrix()
        #expect(a.rows == 2 && a.columns == 3)
        #expect(a[1, 0] == 4)
        #expect(a.values == [1, 2, 3, 4, 5, 6])
        let b = try r.readDoubleMatrix()
        #expect(b.rows == 2 && b.columns == 3 && b[0, 2] == 3)
        var mixed = DlibDeserializer(bytes: [0x81, 0x02, 0x01, 0x03] + elements)
        #expect { try mixed.readFloatMatrix() } throws: { ($0 as? DlibFormatError)?.code == .unexpectedValue }
    }

    @Test func readsRawLittleEndianFloats() throws {
        let values: [Float] = [1.5, -2, 0.1]
        let bytes = values.flatMap { v -> [UInt8] in
            let b = v.bitPattern
            return [UInt8(b & 0xFF), UInt8(b >> 8 & 0xFF), UInt8(b >> 16 & 0xFF), UInt8(b >> 24)]
        }
        var r = DlibDeserializer(bytes: [0x01, 0x02] + bytes)
        #expect(try r.readInt64() == 2)
        #expect(try r.readRawFloats(count: 3) == values)
        #expect(r.isAtEnd)
    }

    @Test func readsTensors() throws {
        let values: [Float] = [1, -2, 0.5, 3, 4, 5]
        let raw = values.flatMap { v -> [UInt8] in
            let b = v.bitPattern
            return [UInt8(b & 0xFF), UInt8(b >> 8 & 0xFF), UInt8(b >> 16 & 0xFF), UInt8(b >> 24)]
        }
        // version 2; shape 1 x 2 x 3 x 1.
        let header: [UInt8] = [0x01, 0x02, 0x01, 0x01, 0x01, 0x02, 0x01, 0x03, 0x01, 0x01]
        var r = DlibDeserializer(bytes: header + raw)
        let t = try r.readTensor()
        #expect(t.samples == 1 && t.channels == 2 && t.rows == 3 && t.columns == 1)
        #expect(t.values == values)
        #expect(r.isAtEnd)
        var short = DlibDeserializer(bytes: header + raw.dropLast())
        #expect { try short.readTensor() } throws: { ($0 as? DlibFormatError)?.code == .sizeTooLarge }
        #expect(short.offset == 0)
        var badVersion = DlibDeserializer(bytes: [0x01, 0x03] + header.dropFirst(2) + raw)
        #expect { try badVersion.readTensor() } throws: { ($0 as? DlibFormatError)?.code == .unexpectedValue }
        // 2^31 x 2^31 x 2^31 x 2^31 elements: overflow, refused without allocating.
        var huge = DlibDeserializer(bytes: [0x01, 0x02] + Array(repeating: [0x04, 0xFF, 0xFF, 0xFF, 0x7F], count: 4).flatMap { $0 })
        #expect { try huge.readTensor() } throws: { ($0 as? DlibFormatError)?.code == .sizeTooLarge }
    }

    @Test func bulkFloatsMatchSingleReads() throws {
        var bytes: [UInt8] = []
        let values: [Double] = [0.1, -3.25, 1e-20, 12345.678, 0, -1e30, 7]
        for v in values { bytes += DlibTestEncoder.double(Double(Float(v)), digits: 24) }
        bytes += [0x01, 0x00, 0x02, 0x00, 0x7D] // +inf
        var single = DlibDeserializer(bytes: bytes)
        var expected: [Float] = []
        for _ in 0...values.count { expected.append(try single.readFloat()) }
        var bulk = DlibDeserializer(bytes: bytes)
        var got: [Float] = [42]
        try bulk.appendFloats(values.count + 1, to: &got)
        #expect(got == [42] + expected)
        #expect(bulk.offset == single.offset)
        // Truncated in the last value: nothing appended, nothing consumed, truncation reported.
        var cut = DlibDeserializer(bytes: Array(bytes.dropLast()))
        var partial: [Float] = []
        #expect { try cut.appendFloats(values.count + 1, to: &partial) } throws: { ($0 as? DlibFormatError)?.code == .truncated }
        #expect(partial.isEmpty && cut.offset == 0)
    }

    @Test func readFileReportsMissingAndNonRegularFiles() throws {
        #expect(throws: DlibFileError.self) { try DlibDeserializer.readFile("/nonexistent/model.dat") }
        #expect(throws: DlibFileError.self) { try DlibDeserializer.readFile("/tmp") }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dlib-deserializer-\(UUID().uuidString)")
        try Data([0x01, 0x07]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var r = try DlibDeserializer(contentsOfFile: url.path)
        #expect(try r.readUInt64() == 7)
    }

    @Test func readsBools() throws {
        var r = DlibDeserializer(bytes: Array("10x".utf8))
        #expect(try r.readBool())
        #expect(try !r.readBool())
        #expect { try r.readBool() } throws: { ($0 as? DlibFormatError)?.code == .badBool }
    }
}

/// A minimal dlib encoder (pack_int + float_details) for round-trip tests.
enum DlibTestEncoder {
    static func int(_ value: Int64) -> [UInt8] {
        var magnitude = value.magnitude
        var out: [UInt8] = [0]
        repeat {
            out.append(UInt8(magnitude & 0xFF))
            magnitude >>= 8
        } while magnitude != 0
        out[0] = UInt8(out.count - 1) | (value < 0 ? 0x80 : 0)
        return out
    }

    /// dlib's convert_from_T: frexp, scale to `digits` bits, strip zero bytes.
    static func double(_ value: Double, digits: Int = 53) -> [UInt8] {
        // Swift's frexp drops the sign on Linux: split it off explicitly.
        let fr = frexp(abs(value))
        var mantissa = Int64(fr.0 * Double(UInt64(1) << digits)) * (value < 0 ? -1 : 1)
        var exponent = fr.1 - digits
        for _ in 0..<8 where mantissa & 0xFF == 0 && mantissa != 0 {
            mantissa >>= 8
            exponent += 8
        }
        if mantissa == 0 { exponent = 0 }
        return int(mantissa) + int(Int64(exponent))
    }
}
