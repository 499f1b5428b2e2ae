import FaceKit
import Testing

@testable import Imagicon

/// The packed face index format: what is written reads back, and everything else is refused
/// before it is trusted (truncated, oversized, another magic/version/length, a failing checksum,
/// counts the bytes cannot hold).
@Suite("packed face index format")
struct PackedFaceIndexTests {
    /// A deterministic descriptor with values in dlib's range (about ±0.3).
    static func descriptor(_ seed: Int) -> [Float] {
        var state = UInt64(seed * 2_654_435_761 + 11)
        return (0..<128).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 6001 - 3000) / 10_000
        }
    }

    static func face(
        _ key: String, _ index: Int, version: String?, seed: Int, box: FaceRect = FaceRect(left: 1, top: 2, right: 30, bottom: 40)
    )
        -> FaceRecord
    {
        FaceRecord(
            album: StorageLayout.album(ofKey: key), key: key, index: index, box: box, confidence: 1, landmarks: [],
            descriptor: descriptor(seed), version: version)
    }

    static let faces = [
        face("a/1.jpg", 0, version: "0000000000000001", seed: 1),
        face("a/1.jpg", 1, version: "0000000000000001", seed: 2, box: FaceRect(left: -5, top: -7, right: 9, bottom: 11)),
        face("a/ü 2.jpg", 0, version: nil, seed: 3),
        face("a/3.jpg", 4, version: "00ff", seed: 4),
    ]

    /// Rewrites the trailing checksum so only the other checks can refuse.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var body = Array(bytes.dropLast(4))
        let crc = CRC32.checksum(body)
        body += [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
        return body
    }

    static func reason(_ bytes: [UInt8], maxBytes: Int = PackedFaceIndex.maxBytes) -> PackedFaceIndexError.Reason? {
        do {
            _ = try PackedFaceIndex(decoding: bytes, maxBytes: maxBytes)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("round trip: keys, versions (or none), boxes and indexes exact; descriptors within float16")
    func roundTrip() throws {
        let packed = try PackedFaceIndex(faces: Self.faces, stateVersion: 7)
        let bytes = packed.encoded()
        #expect(
            bytes.count == 24 + 4 * 128 * 2 + 4 * 24 + 3 * 3 + "a/1.jpg".utf8.count + 16 + "a/ü 2.jpg".utf8.count + "a/3.jpg".utf8.count + 4
                + 4)
        let read = try PackedFaceIndex(decoding: bytes)
        #expect(read == packed)
        #expect(read.stateVersion == 7 && read.count == 4 && read.photos.count == 3)
        for (i, face) in Self.faces.enumerated() {
            let (decoded, version) = read.face(i)
            #expect(decoded.key == face.key && decoded.index == face.index && decoded.box == face.box && version == face.version)
            let error = zip(decoded.descriptor, face.descriptor).map { abs($0 - $1) }.max() ?? 1
            #expect(error < 2e-4)
        }
        let empty = try PackedFaceIndex(faces: [], stateVersion: 1)
        #expect(try PackedFaceIndex(decoding: empty.encoded()) == empty)
    }

    @Test("faces(near:) keeps exactly the faces SearchRanking would, on the widened values")
    func nearMatchesRanking() throws {
        let packed = try PackedFaceIndex(faces: Self.faces, stateVersion: 1)
        let selfie = Self.descriptor(1).map { $0 + 0.01 }
        for threshold in [0.05, 0.2, 2.0, 5.0] {
            let expected = (0..<packed.count).filter { SearchRanking.distance(packed.face($0).face.descriptor, selfie) <= threshold }
            #expect(packed.faces(near: [selfie], threshold: threshold) == expected)
        }
        #expect(packed.faces(near: [[1, 2]], threshold: 100).isEmpty)
    }

    @Test("float16 distances stay within errorBound of the float32 ones")
    func errorBound() throws {
        let faces = (0..<300).map { Self.face("a/\($0).jpg", 0, version: nil, seed: $0 + 10) }
        let packed = try PackedFaceIndex(faces: faces, stateVersion: 1)
        let bound = packed.errorBound
        #expect(bound > 0 && bound < 5e-3)
        var worst = 0.0
        for selfie in [Self.descriptor(1), Self.descriptor(2).map { $0 * 0.5 }] {
            for (i, face) in faces.enumerated() {
                let exact = SearchRanking.distance(face.descriptor, selfie)
                worst = max(worst, abs(SearchRanking.distance(packed.face(i).face.descriptor, selfie) - exact))
            }
        }
        #expect(worst > 0 && worst <= bound)
    }

    @Test("every truncation is refused, never read")
    func truncated() throws {
        let bytes = try PackedFaceIndex(faces: Self.faces, stateVersion: 3).encoded()
        for length in [0, 3, 4, 27, 28, 100, bytes.count / 2, bytes.count - 5, bytes.count - 1] {
            #expect(Self.reason(Array(bytes.prefix(length))) != nil, "length \(length)")
            // Even resealed (a writer that stopped half-way but checksummed what it had).
            if length >= 28 { #expect(Self.reason(Self.resealed(Array(bytes.prefix(length)) + [0, 0, 0, 0])) != nil) }
        }
    }

    @Test("another magic, format version or descriptor length is refused")
    func versions() throws {
        let bytes = try PackedFaceIndex(faces: Self.faces, stateVersion: 3).encoded()
        var magic = bytes
        magic[0] = UInt8(ascii: "X")
        #expect(Self.reason(Self.resealed(magic)) == .badMagic)
        var version = bytes
        version[4] = 2
        #expect(Self.reason(Self.resealed(version)) == .unsupportedVersion)
        var dims = bytes
        dims[6] = 64
        #expect(Self.reason(Self.resealed(dims)) == .unsupportedVersion)
    }

    @Test("a flipped bit anywhere fails the checksum")
    func checksum() throws {
        let bytes = try PackedFaceIndex(faces: Self.faces, stateVersion: 3).encoded()
        for position in [8, 24, 24 + 300, bytes.count - 30, bytes.count - 1] {
            var flipped = bytes
            flipped[position] ^= 0x10
            #expect(Self.reason(flipped) == .badChecksum, "byte \(position)")
        }
    }

    @Test("counts the bytes cannot hold, bad photo numbers, extra bytes and oversized objects are refused")
    func counts() throws {
        let bytes = try PackedFaceIndex(faces: Self.faces, stateVersion: 3).encoded()
        // 4 billion faces claimed by a small object: refused before anything is reserved.
        var faces = bytes
        faces.replaceSubrange(8..<12, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Self.reason(Self.resealed(faces)) == .truncated)
        var photos = bytes
        photos.replaceSubrange(12..<16, with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(Self.reason(Self.resealed(photos)) == .truncated)
        // One photo fewer than the refs name.
        var fewer = bytes
        fewer[12] = 2
        #expect(Self.reason(Self.resealed(fewer)) != nil)
        // A ref naming photo 9 of 3.
        var ref = bytes
        ref[24 + 4 * 256] = 9
        #expect(Self.reason(Self.resealed(ref)) == .malformed)
        // Bytes after the last photo.
        #expect(Self.reason(Self.resealed(Array(bytes.dropLast(4)) + [1, 2, 3] + [0, 0, 0, 0])) == .malformed)
        // Larger than the reader accepts.
        #expect(Self.reason(bytes, maxBytes: bytes.count - 1) == .tooLarge)
        #expect(Self.reason(bytes, maxBytes: bytes.count) == nil)
    }

    @Test("the writer refuses what the format cannot hold")
    func writerRefuses() {
        var short = Self.faces[0]
        short.descriptor = [1, 2, 3]
        #expect(throws: PackedFaceIndexError.self) { try PackedFaceIndex(faces: [short], stateVersion: 1) }
        var long = Self.faces[0]
        long.version = String(repeating: "0", count: 255)
        #expect(throws: PackedFaceIndexError.self) { try PackedFaceIndex(faces: [long], stateVersion: 1) }
    }
}
