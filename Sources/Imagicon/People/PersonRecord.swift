import DynamoDB
import FaceKit
import People

/// One person of an album as stored in the table: `PK = ALBUM#<album>`, `SK = PERSON#<id>`, written
/// by ``PeopleStore`` from the committed ``PeopleState`` (which stays the source of truth).
public struct PersonRecord: Sendable, Equatable {
    /// The face that shows the person: the largest one (ties: the lowest face id).
    public struct Cover: Sendable, Equatable {
        /// Its photo's key.
        public var key: String
        /// Its index in the photo.
        public var index: Int
        /// The shorter side of its box, in pixels (the largest cover wins a merge).
        public var size: Int
        /// Its face thumbnail's key, when `process` made one.
        public var thumbnail: String?
    }

    public var album: String
    public var id: Int
    public var name: String?
    public var hidden: Bool
    public var faceCount: Int
    public var photoCount: Int
    public var cover: Cover?
    /// Mean descriptor of the person's faces.
    public var centroid: [Float]
    /// Ids merged into this one (links to them resolve here).
    public var mergedIDs: [Int]
    /// The people state version this item was written from: an older state never overwrites it.
    public var stateVersion: Int

    /// The table item, keys included.
    public var item: DynamoDBItem {
        var item: DynamoDBItem = [
            "PK": .s(StorageLayout.partitionKey(album: album)), "SK": .s(StorageLayout.personSortKey(id: id)),
            "id": .number(id), "hidden": .bool(hidden), "faceCount": .number(faceCount), "photoCount": .number(photoCount),
            "centroid": .b(FaceRecord.encode(centroid)), "mergedIDs": .l(mergedIDs.map { .number($0) }),
            "stateVersion": .number(stateVersion),
        ]
        item["name"] = name.map(AttributeValue.s)
        if let cover {
            var m: [String: AttributeValue] = ["key": .s(cover.key), "index": .number(cover.index), "size": .number(cover.size)]
            m["thumbnail"] = cover.thumbnail.map(AttributeValue.s)
            item["cover"] = .m(m)
        }
        return item
    }

    /// Reads a person item back; nil when it is not one.
    public init?(item: DynamoDBItem, album: String) {
        guard item["PK"]?.stringValue == StorageLayout.partitionKey(album: album), let id = item["id"]?.intValue,
            item["SK"]?.stringValue == StorageLayout.personSortKey(id: id)
        else { return nil }
        self.album = album
        self.id = id
        name = item["name"]?.stringValue
        hidden = item["hidden"]?.boolValue ?? false
        faceCount = item["faceCount"]?.intValue ?? 0
        photoCount = item["photoCount"]?.intValue ?? 0
        centroid = item["centroid"]?.bytesValue.flatMap(FaceRecord.decode) ?? []
        mergedIDs = (item["mergedIDs"]?.listValue ?? []).compactMap(\.intValue)
        stateVersion = item["stateVersion"]?.intValue ?? 0
        if let m = item["cover"]?.mapValue, let key = m["key"]?.stringValue, let index = m["index"]?.intValue {
            cover = Cover(key: key, index: index, size: m["size"]?.intValue ?? 0, thumbnail: m["thumbnail"]?.stringValue)
        }
    }

    /// A person's record from its faces (each must be one of `faces`, by ``PeopleFaceID``).
    init(album: String, person: Person, faces: [String: FaceRecord], stateVersion: Int) {
        self.album = album
        id = person.id
        name = person.name
        hidden = person.hidden
        mergedIDs = person.mergedIDs
        self.stateVersion = stateVersion
        let records = person.faces.compactMap { faces[$0] }
        faceCount = person.faces.count
        photoCount = Set(person.faces.compactMap { PeopleFaceID.parse($0)?.key }).count
        var sum = [Float](repeating: 0, count: records.first?.descriptor.count ?? 0)
        for record in records where record.descriptor.count == sum.count {
            for k in sum.indices { sum[k] += record.descriptor[k] }
        }
        centroid = records.isEmpty ? [] : sum.map { $0 / Float(records.count) }
        let best = records.max { a, b in
            let (sa, sb) = (a.box.shortSide, b.box.shortSide)
            return sa != sb ? sa < sb : (a.key, a.index) > (b.key, b.index)
        }
        cover = best.map { Cover(key: $0.key, index: $0.index, size: $0.box.shortSide, thumbnail: $0.thumbnail) }
    }

    /// `into` after the owner merged `merged` into it (the state already moved the faces): counts from
    /// the state's person, the centroid weighted by face counts, the larger cover.
    static func merging(_ merged: PersonRecord, into target: PersonRecord, person: Person, stateVersion: Int) -> PersonRecord {
        var out = target
        out.name = person.name
        out.hidden = person.hidden
        out.mergedIDs = person.mergedIDs
        out.faceCount = person.faces.count
        out.photoCount = Set(person.faces.compactMap { PeopleFaceID.parse($0)?.key }).count
        out.stateVersion = stateVersion
        if merged.centroid.count == target.centroid.count, merged.faceCount + target.faceCount > 0 {
            let (a, b) = (Float(target.faceCount), Float(merged.faceCount))
            out.centroid = zip(target.centroid, merged.centroid).map { ($0 * a + $1 * b) / (a + b) }
        } else if target.centroid.isEmpty {
            out.centroid = merged.centroid
        }
        if let other = merged.cover, (target.cover?.size ?? -1) < other.size { out.cover = other }
        return out
    }
}

/// How the people job names a face: `<key>#<index>@<version>`, so a replaced photo's faces are new
/// faces (their descriptors changed) and never inherit the old ones' person.
public enum PeopleFaceID {
    /// The id of a face record.
    public static func of(_ face: FaceRecord) -> String { "\(face.key)#\(face.index)@\(face.version ?? "")" }

    /// The key, index and version of an id this type made; nil otherwise.
    public static func parse(_ id: String) -> (key: String, index: Int, version: String?)? {
        guard let at = id.lastIndex(of: "@") else { return nil }
        let head = id[..<at]
        guard let hash = head.lastIndex(of: "#"), let index = Int(head[head.index(after: hash)...]) else { return nil }
        let version = id[id.index(after: at)...]
        return (String(head[..<hash]), index, version.isEmpty ? nil : String(version))
    }
}

extension FaceRect {
    /// The shorter side of the box.
    var shortSide: Int { min(width, height) }
}
