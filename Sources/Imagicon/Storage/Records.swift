import DynamoDB
import ExifKit
import FaceKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One uploaded image as stored in the table (DESIGN.md, storage contract: the image item).
public struct ImageRecord: Sendable, Equatable, Codable {
    /// Processing outcome.
    public enum Status: String, Sendable, Codable {
        /// Thumbnails, metadata and faces are complete.
        case processed
        /// The object is not a usable image; `error` says why.
        case failed
    }

    /// One stored thumbnail.
    public struct ThumbnailEntry: Sendable, Equatable, Codable {
        /// Its key in the thumbnail bucket.
        public var key: String
        /// Width in pixels.
        public var width: Int
        /// Height in pixels.
        public var height: Int
        /// Encoded size.
        public var bytes: Int
    }

    public var bucket: String
    public var key: String
    public var album: String
    public var size: Int64
    public var etag: String?
    public var sequencer: String?
    public var format: String?
    public var width: Int?
    public var height: Int?
    public var exif: PhotoMetadata?
    public var thumbnails: [ThumbnailEntry]
    public var faceCount: Int
    public var status: Status
    public var error: String?
    public var processedAt: String
    /// The version of the object this record describes: the event's sequencer in sortable form
    /// (``S3Sequencer/version(_:)``); nil when the event had no sequencer (local runs).
    public var version: String? = nil

    /// The table item, keys included.
    public var item: DynamoDBItem {
        var item: DynamoDBItem = [
            "PK": .s(StorageLayout.partitionKey(album: album)),
            "SK": .s(StorageLayout.imageSortKey(key: key)),
            "bucket": .s(bucket), "key": .s(key), "album": .s(album),
            "size": .number(size),
            "thumbnails": .l(
                thumbnails.map {
                    .m(["key": .s($0.key), "width": .number($0.width), "height": .number($0.height), "bytes": .number($0.bytes)])
                }),
            "faceCount": .number(faceCount),
            "status": .s(status.rawValue),
            "processedAt": .s(processedAt),
        ]
        item["etag"] = etag.map(AttributeValue.s)
        item["sequencer"] = sequencer.map(AttributeValue.s)
        item["format"] = format.map(AttributeValue.s)
        item["width"] = width.map(AttributeValue.number)
        item["height"] = height.map(AttributeValue.number)
        item["error"] = error.map(AttributeValue.s)
        item["version"] = version.map(AttributeValue.s)
        if let exif { item["exif"] = .m(AttributeValue.map(encoding: exif)) }
        return item
    }
}

/// One face as stored in the table (DESIGN.md, storage contract: the face item).
public struct FaceRecord: Sendable, Equatable, Codable {
    public var album: String
    public var key: String
    public var index: Int
    public var box: FaceRect
    public var confidence: Double
    public var landmarks: [[Double]]
    public var descriptor: [Float]
    /// The version of the image this face was found in (the image item's `version`).
    public var version: String? = nil
    /// The person the `people` job put this face in (written by ``PeopleStore``, never by `process`).
    public var personId: Int? = nil
    /// The face thumbnail's key in the thumbnail bucket (``StorageLayout/faceThumbnailKey(for:version:index:)``).
    public var thumbnail: String? = nil
    /// False until the album's packed face index holds this face: the item then carries
    /// ``StorageLayout/unindexedAttribute``, which puts it in the sparse `UnindexedFaces` index
    /// (the people job removes it once a committed index holds the face).
    public var packed = false

    /// The table item, keys included; the descriptor as 128 little-endian float32.
    public var item: DynamoDBItem {
        var item: DynamoDBItem = [
            "PK": .s(StorageLayout.partitionKey(album: album)),
            "SK": .s(StorageLayout.faceSortKey(key: key, index: index)),
            "key": .s(key),
            "index": .number(index),
            "box": .m(["left": .number(box.left), "top": .number(box.top), "right": .number(box.right), "bottom": .number(box.bottom)]),
            "confidence": .number(confidence),
            "landmarks": .l(landmarks.map { .l($0.map { AttributeValue.number($0) }) }),
            "descriptor": .b(Self.encode(descriptor)),
        ]
        item["version"] = version.map(AttributeValue.s)
        item["thumbnail"] = thumbnail.map(AttributeValue.s)
        if !packed { item[StorageLayout.unindexedAttribute] = .s(StorageLayout.partitionKey(album: album)) }
        return item
    }

    /// Little-endian float32 bytes.
    public static func encode(_ descriptor: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(descriptor.count * 4)
        for value in descriptor {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Reads little-endian float32 bytes; nil when the length is not a multiple of 4.
    public static func decode(_ bytes: [UInt8]) -> [Float]? {
        guard bytes.count % 4 == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }
}

extension AttributeValue {
    /// A DynamoDB map from any Encodable value's JSON form (nulls dropped, numbers as N).
    static func map(encoding value: some Encodable) -> [String: AttributeValue] {
        guard let data = try? JSONEncoder().encode(value), let json = try? JSONValue.parse(Array(data)),
            case .m(let map)? = AttributeValue(json: json)
        else { return [:] }
        return map
    }

    /// Converts plain JSON; nil for `null`.
    init?(json: JSONValue) {
        switch json {
        case .null: return nil
        case .bool(let b): self = .bool(b)
        case .number(let d): self = .number(d)
        case .string(let s): self = .s(s)
        case .array(let a): self = .l(a.compactMap(AttributeValue.init(json:)))
        case .object(let o): self = .m(o.compactMapValues(AttributeValue.init(json:)))
        }
    }
}
