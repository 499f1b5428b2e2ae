import DynamoDB
import ExifKit
import FaceKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ImageRecord {
    /// Reads an image item back; nil when it is not a well-formed image item (never trusted blindly).
    /// Unknown or malformed optional attributes are dropped, not fatal.
    public init?(item: DynamoDBItem) {
        guard let sk = item["SK"]?.stringValue, sk.hasPrefix(StorageLayout.imageSortKeyPrefix),
            let key = item["key"]?.stringValue, sk == StorageLayout.imageSortKey(key: key),
            item["PK"]?.stringValue == StorageLayout.partitionKey(album: StorageLayout.album(ofKey: key)),
            let bucket = item["bucket"]?.stringValue,
            let status = item["status"]?.stringValue.flatMap(Status.init(rawValue:))
        else { return nil }
        let thumbnails = (item["thumbnails"]?.listValue ?? []).compactMap { entry -> ThumbnailEntry? in
            guard let m = entry.mapValue, let key = m["key"]?.stringValue, let width = m["width"]?.intValue,
                let height = m["height"]?.intValue
            else { return nil }
            return ThumbnailEntry(key: key, width: width, height: height, bytes: m["bytes"]?.intValue ?? 0)
        }
        self.init(
            bucket: bucket, key: key, album: StorageLayout.album(ofKey: key),
            size: item["size"]?.numberString.flatMap { Int64($0) } ?? 0, etag: item["etag"]?.stringValue,
            sequencer: item["sequencer"]?.stringValue, format: item["format"]?.stringValue,
            width: item["width"]?.intValue, height: item["height"]?.intValue,
            exif: item["exif"]?.mapValue.flatMap(PhotoMetadata.init(attributes:)), thumbnails: thumbnails,
            faceCount: item["faceCount"]?.intValue ?? 0, status: status, error: item["error"]?.stringValue,
            processedAt: item["processedAt"]?.stringValue ?? "", version: item["version"]?.stringValue)
    }
}

extension FaceRecord {
    /// Reads a face item back; nil unless it has a key, an index, a whole box and a 128-float descriptor.
    public init?(item: DynamoDBItem) {
        guard let key = item["key"]?.stringValue, let index = item["index"]?.intValue,
            item["SK"]?.stringValue == StorageLayout.faceSortKey(key: key, index: index),
            let bytes = item["descriptor"]?.bytesValue, bytes.count == 512, let descriptor = Self.decode(bytes),
            let box = item["box"]?.mapValue,
            let left = box["left"]?.intValue, let top = box["top"]?.intValue,
            let right = box["right"]?.intValue, let bottom = box["bottom"]?.intValue
        else { return nil }
        let landmarks = (item["landmarks"]?.listValue ?? []).map { ($0.listValue ?? []).compactMap(\.doubleValue) }
        self.init(
            album: StorageLayout.album(ofKey: key), key: key, index: index,
            box: FaceRect(left: left, top: top, right: right, bottom: bottom),
            confidence: item["confidence"]?.doubleValue ?? 0, landmarks: landmarks, descriptor: descriptor,
            version: item["version"]?.stringValue, personId: item["personId"]?.intValue,
            thumbnail: item["thumbnail"]?.stringValue, packed: item[StorageLayout.unindexedAttribute] == nil)
    }
}

extension PhotoMetadata {
    /// Reads the `exif` map of an image item (the JSON form ``AttributeValue/map(encoding:)`` wrote).
    init?(attributes: [String: AttributeValue]) {
        guard let data = try? JSONEncoder().encode(JSONValue(attribute: .m(attributes))),
            let metadata = try? JSONDecoder().decode(PhotoMetadata.self, from: data)
        else { return nil }
        self = metadata
    }
}

extension JSONValue {
    /// Plain JSON of an attribute value (numbers as doubles, binary and sets as arrays).
    init(attribute: AttributeValue) {
        switch attribute {
        case .s(let s): self = .string(s)
        case .n(let n): self = Double(n).map(JSONValue.number) ?? .null
        case .b(let b): self = .array(b.map { .number(Double($0)) })
        case .bool(let b): self = .bool(b)
        case .null: self = .null
        case .m(let m): self = .object(m.mapValues(JSONValue.init(attribute:)))
        case .l(let l): self = .array(l.map(JSONValue.init(attribute:)))
        case .ss(let ss): self = .array(ss.map(JSONValue.string))
        case .ns(let ns): self = .array(ns.compactMap { Double($0).map(JSONValue.number) })
        case .bs(let bs): self = .array(bs.map { JSONValue(attribute: .b($0)) })
        }
    }
}
