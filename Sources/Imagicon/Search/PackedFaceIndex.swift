import FaceKit

/// An album's face descriptors packed into one object, so "find me" reads one S3 object instead of
/// paging every face item (written by the `people` job through ``FaceIndexStore``).
///
/// Format version 1, every integer little-endian:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `IMFX` |
/// | 4 | 2 | format version (1) |
/// | 6 | 2 | descriptor length D (128) |
/// | 8 | 4 | face count F |
/// | 12 | 4 | photo count P |
/// | 16 | 8 | the people state version the index was built with |
/// | 24 | F·D·2 | descriptors, IEEE float16, face after face |
/// | … | F·24 | face refs: photo number (u32, < P), face index (u32), box left, top, right, bottom (i32) |
/// | … | variable | P photos: key length (u16), key (UTF-8), version length (u8; 255: no version), version |
/// | end−4 | 4 | CRC-32 (ISO-HDLC) of every byte before it |
///
/// Decoding refuses (``PackedFaceIndexError``) anything truncated, longer than its counts say, over
/// ``maxBytes``, of another magic, version or descriptor length, or failing its checksum; counts
/// are checked against the bytes there before anything is allocated. A face ref names its photo's
/// key and version, so a reader can tell the faces of a photo replaced or deleted since.
public struct PackedFaceIndex: Sendable, Equatable {
    /// `IMFX`.
    public static let magic: [UInt8] = Array("IMFX".utf8)
    /// The one format version this code reads and writes.
    public static let formatVersion: UInt16 = 1
    /// Floats per descriptor.
    public static let dimensions = 128
    /// Bytes before the descriptors.
    static let headerBytes = 24
    /// Bytes of one face ref.
    static let refBytes = 24
    /// Largest object accepted (about 600,000 faces with their photo keys).
    public static let maxBytes = 256 << 20
    /// Version length byte meaning "no version".
    static let noVersion: UInt8 = 0xFF

    /// One photo of the index: its key and the version its faces were found in.
    public struct Photo: Sendable, Equatable, Hashable {
        public var key: String
        public var version: String?

        public init(key: String, version: String?) {
            self.key = key
            self.version = version
        }
    }

    /// One face: its photo (an index into ``photos``), index in the photo and box.
    public struct Ref: Sendable, Equatable {
        public var photo: Int
        public var index: Int
        public var box: FaceRect
    }

    /// The people state version the index was built with.
    public var stateVersion: Int
    /// The photos, in first-face order.
    public var photos: [Photo]
    /// The faces, in descriptor order.
    public var refs: [Ref]
    /// ``dimensions`` float16 values per face, face after face.
    public var descriptors: [Float16]

    /// Packs `faces` (each descriptor must have ``dimensions`` values); throws when a key, version or
    /// box does not fit the format.
    public init(faces: [FaceRecord], stateVersion: Int) throws(PackedFaceIndexError) {
        self.stateVersion = stateVersion
        photos = []
        refs = []
        descriptors = []
        descriptors.reserveCapacity(faces.count * Self.dimensions)
        var photoNumbers: [Photo: Int] = [:]
        for face in faces {
            guard face.descriptor.count == Self.dimensions else {
                throw .init(.malformed, "a descriptor has \(face.descriptor.count) values")
            }
            guard face.key.utf8.count <= Int(UInt16.max), (face.version?.utf8.count ?? 0) < Int(Self.noVersion) else {
                throw .init(.malformed, "a key or version is too long")
            }
            let box = [face.box.left, face.box.top, face.box.right, face.box.bottom]
            guard box.allSatisfy({ Int32(exactly: $0) != nil }), UInt32(exactly: face.index) != nil else {
                throw .init(.malformed, "a box or index does not fit 32 bits")
            }
            let photo = Photo(key: face.key, version: face.version)
            let number = photoNumbers[photo] ?? photos.count
            if number == photos.count {
                photoNumbers[photo] = number
                photos.append(photo)
            }
            refs.append(Ref(photo: number, index: face.index, box: face.box))
            descriptors += face.descriptor.map(Float16.init)
        }
        guard refs.count <= UInt32.max, photos.count <= UInt32.max else { throw .init(.tooLarge, "too many faces") }
    }

    /// The object's bytes.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerBytes + descriptors.count * 2 + refs.count * Self.refBytes + photos.count * 64 + 4)
        out += Self.magic
        out.appendLE(Self.formatVersion)
        out.appendLE(UInt16(Self.dimensions))
        out.appendLE(UInt32(refs.count))
        out.appendLE(UInt32(photos.count))
        out.appendLE(UInt64(stateVersion))
        for value in descriptors { out.appendLE(value.bitPattern) }
        for ref in refs {
            out.appendLE(UInt32(ref.photo))
            out.appendLE(UInt32(ref.index))
            for side in [ref.box.left, ref.box.top, ref.box.right, ref.box.bottom] { out.appendLE(UInt32(bitPattern: Int32(side))) }
        }
        for photo in photos {
            out.appendLE(UInt16(photo.key.utf8.count))
            out += photo.key.utf8
            if let version = photo.version {
                out.append(UInt8(version.utf8.count))
                out += version.utf8
            } else {
                out.append(Self.noVersion)
            }
        }
        out.appendLE(CRC32.checksum(out))
        return out
    }

    /// Reads an object of at most `maxBytes`; throws ``PackedFaceIndexError`` for anything this
    /// version did not write.
    public init(decoding bytes: [UInt8], maxBytes: Int = maxBytes) throws(PackedFaceIndexError) {
        guard bytes.count <= maxBytes else { throw .init(.tooLarge, "\(bytes.count) bytes") }
        guard bytes.count >= Self.headerBytes + 4 else { throw .init(.truncated, "\(bytes.count) bytes") }
        guard bytes[0..<4].elementsEqual(Self.magic) else { throw .init(.badMagic, "not a packed face index") }
        var reader = LittleEndianReader(bytes: bytes, end: bytes.count - 4)
        reader.offset = 4
        let version = try reader.u16()
        guard version == Self.formatVersion else { throw .init(.unsupportedVersion, "format version \(version)") }
        let dimensions = try reader.u16()
        guard dimensions == Self.dimensions else { throw .init(.unsupportedVersion, "descriptor length \(dimensions)") }
        let faceCount = Int(try reader.u32())
        let photoCount = Int(try reader.u32())
        let stateVersion = try reader.u64()
        let stored =
            UInt32(bytes[bytes.count - 4]) | UInt32(bytes[bytes.count - 3]) << 8 | UInt32(bytes[bytes.count - 2]) << 16
            | UInt32(bytes[bytes.count - 1]) << 24
        guard CRC32.checksum(bytes[..<(bytes.count - 4)]) == stored else { throw .init(.badChecksum, "the checksum does not match") }
        // Every count is checked against the bytes left before anything is reserved.
        let fixed = faceCount * (Self.dimensions * 2 + Self.refBytes)
        guard stateVersion <= UInt64(Int.max), fixed <= reader.remaining, photoCount * 3 <= reader.remaining - fixed else {
            throw .init(.truncated, "\(faceCount) faces and \(photoCount) photos do not fit \(bytes.count) bytes")
        }
        let values = try reader.take(faceCount * Self.dimensions * 2)
        let descriptors = values.withUnsafeBufferPointer { raw in
            (0..<(faceCount * Self.dimensions)).map { i in Float16(bitPattern: UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8) }
        }
        var refs: [Ref] = []
        refs.reserveCapacity(faceCount)
        for _ in 0..<faceCount {
            let photo = Int(try reader.u32())
            let index = Int(try reader.u32())
            var box: [Int] = []
            for _ in 0..<4 { box.append(Int(Int32(bitPattern: try reader.u32()))) }
            guard photo < photoCount else { throw .init(.malformed, "a face names photo \(photo) of \(photoCount)") }
            refs.append(Ref(photo: photo, index: index, box: FaceRect(left: box[0], top: box[1], right: box[2], bottom: box[3])))
        }
        var photos: [Photo] = []
        photos.reserveCapacity(photoCount)
        for _ in 0..<photoCount {
            let key = try reader.string(length: Int(try reader.u16()))
            let length = try reader.u8()
            let version = length == Self.noVersion ? nil : try reader.string(length: Int(length))
            photos.append(Photo(key: key, version: version))
        }
        guard reader.remaining == 0 else { throw .init(.malformed, "\(reader.remaining) bytes after the last photo") }
        self.stateVersion = Int(stateVersion)
        self.photos = photos
        self.refs = refs
        self.descriptors = descriptors
    }

    /// Number of faces.
    public var count: Int { refs.count }

    /// Face `i` as the ranking takes it, with its photo's version.
    public func face(_ i: Int) -> (face: AlbumFace, version: String?) {
        let ref = refs[i]
        let start = i * Self.dimensions
        let descriptor = descriptors[start..<(start + Self.dimensions)].map(Float.init)
        return (AlbumFace(key: photos[ref.photo].key, index: ref.index, box: ref.box, descriptor: descriptor), photos[ref.photo].version)
    }

    /// How far a distance computed on these float16 values can be from the one on the float32
    /// descriptors they were rounded from: each value moved by at most 2^-11 of itself (or 2^-24
    /// when subnormal), so the distance by at most √128 times the largest such move.
    public var errorBound: Double {
        let largest = descriptors.reduce(Float16(0)) { max($0, abs($1)) }
        return Double(Self.dimensions).squareRoot() * (Double(largest) * 0x1p-10 + 0x1p-24) + 1e-6
    }

    /// The faces whose distance to some selfie is at most `threshold`, computed as
    /// ``SearchRanking/distance(_:_:)`` does on the float16 values widened to float. With
    /// `threshold + errorBound`, every face whose float32 distance is within `threshold`.
    public func faces(near selfies: [[Float]], threshold: Double) -> [Int] {
        let selfies = selfies.filter { $0.count == Self.dimensions }
        guard !selfies.isEmpty else { return [] }
        var near: [Int] = []
        descriptors.withUnsafeBufferPointer { all in
            for i in 0..<count {
                let base = i * Self.dimensions
                for selfie in selfies {
                    var sum: Float = 0
                    for j in 0..<Self.dimensions {
                        let d = Float(all[base + j]) - selfie[j]
                        sum += d * d
                    }
                    if Double(sum.squareRoot()) <= threshold {
                        near.append(i)
                        break
                    }
                }
            }
        }
        return near
    }
}

/// Why a packed face index was refused.
public struct PackedFaceIndexError: Error, Equatable, CustomStringConvertible {
    /// The kind of refusal.
    public enum Reason: Sendable, Equatable {
        case truncated, tooLarge, badMagic, unsupportedVersion, badChecksum, malformed
    }

    public var reason: Reason
    public var detail: String

    init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "packed face index refused (\(reason)): \(detail)" }
}

/// Bounds-checked little-endian reads up to `end`.
private struct LittleEndianReader {
    let bytes: [UInt8]
    let end: Int
    var offset = 0

    var remaining: Int { end - offset }

    mutating func take(_ n: Int) throws(PackedFaceIndexError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw .init(.truncated, "\(n) bytes wanted at \(offset), \(remaining) left") }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    mutating func u8() throws(PackedFaceIndexError) -> UInt8 { try take(1).first! }

    mutating func u16() throws(PackedFaceIndexError) -> UInt16 {
        let b = try take(2)
        return UInt16(b[b.startIndex]) | UInt16(b[b.startIndex + 1]) << 8
    }

    mutating func u32() throws(PackedFaceIndexError) -> UInt32 {
        let b = try take(4)
        var value: UInt32 = 0
        for (shift, byte) in b.enumerated() { value |= UInt32(byte) << (8 * shift) }
        return value
    }

    mutating func u64() throws(PackedFaceIndexError) -> UInt64 {
        UInt64(try u32()) | UInt64(try u32()) << 32
    }

    mutating func string(length: Int) throws(PackedFaceIndexError) -> String {
        guard let text = String(validating: try take(length), as: UTF8.self) else { throw .init(.malformed, "a key is not UTF-8") }
        return text
    }
}

extension [UInt8] {
    fileprivate mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
