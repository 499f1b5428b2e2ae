import AWSCore
import DynamoDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The one reader of the table's image and face items (the storage contract in DESIGN.md), next to
/// their writer (``ImageRecord/item``, ``FaceRecord/item``): every handler reads records through it.
///
/// Faces are joined to their image item on `version`: a face counts only when its image item is
/// `processed` and carries the same version, so faces of an older or newer upload of the same key
/// (a race, or a run killed half-way) are never shown as this one's.
public struct TableReader: Sendable {
    /// The table.
    public let table: String
    let dynamo: DynamoDBClient

    /// A reader of `table`.
    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    /// One page of an album's image items, in key order.
    public struct ImagePage: Sendable, Equatable {
        /// Image items of the page (any status).
        public var images: [ImageRecord]
        /// Pass back to read the next page; nil on the last one.
        public var cursor: ImageCursor?
    }

    /// Where a page of ``images(album:cursor:limit:)`` starts: an opaque string for clients.
    public struct ImageCursor: Sendable, Equatable {
        let sortKey: String

        /// The cursor's string form (base64url, no padding).
        public var string: String {
            Base64URL.encode(Array(sortKey.utf8))
        }

        /// Parses a client's cursor; nil when it is not one this reader made (a 400 for the caller).
        public init?(_ string: String) {
            guard string.utf8.count <= 2048 else { return nil }
            guard let data = Base64URL.decode(string), let sortKey = String(validating: data, as: UTF8.self),
                sortKey.hasPrefix(StorageLayout.imageSortKeyPrefix)
            else { return nil }
            self.sortKey = sortKey
        }

        init(sortKey: String) { self.sortKey = sortKey }
    }

    /// An album's processed photos and their current faces, read with one Query (all pages).
    public struct AlbumContents: Sendable, Equatable {
        /// Processed image items by key (failed ones left out).
        public var images: [String: ImageRecord]
        /// Faces of those images whose version is the image item's.
        public var faces: [FaceRecord]
        /// Items read, for the log.
        public var itemCount: Int

        /// Builds the contents from raw items of one album; malformed items are skipped.
        public init(items: [DynamoDBItem], album: String) {
            var images: [String: ImageRecord] = [:]
            var faces: [FaceRecord] = []
            for item in items {
                guard let sk = item["SK"]?.stringValue else { continue }
                if sk.hasPrefix(StorageLayout.imageSortKeyPrefix) {
                    if let image = ImageRecord(item: item), image.album == album, image.status == .processed {
                        images[image.key] = image
                    }
                } else if let face = FaceRecord(item: item), face.album == album {
                    faces.append(face)
                }
            }
            self.images = images
            self.faces = faces.filter { images[$0.key]?.isCurrent($0) == true }.sorted { ($0.key, $0.index) < ($1.key, $1.index) }
            self.itemCount = items.count
        }
    }

    /// The image item of `key` (any status), or nil; `consistent` for a strongly consistent read.
    public func image(key: String, consistent: Bool = false) async throws(AWSError) -> ImageRecord? {
        let album = StorageLayout.album(ofKey: key)
        let item = try await dynamo.getItem(
            table: table,
            key: ["PK": .s(StorageLayout.partitionKey(album: album)), "SK": .s(StorageLayout.imageSortKey(key: key))],
            consistentRead: consistent)
        return item.flatMap(ImageRecord.init(item:)).flatMap { $0.key == key ? $0 : nil }
    }

    /// A page of at most `limit` image items of `album` (any status), after `cursor`.
    public func images(album: String, cursor: ImageCursor? = nil, limit: Int = 100) async throws(AWSError) -> ImagePage {
        let pk = AttributeValue.s(StorageLayout.partitionKey(album: album))
        let query = DynamoDBQuery(
            table: table, keyCondition: "PK = :pk AND begins_with(SK, :prefix)",
            attributes: .init(values: [":pk": pk, ":prefix": .s(StorageLayout.imageSortKeyPrefix)]),
            limit: max(1, min(limit, 1000)))
        let page = try await dynamo.query(query, startKey: cursor.map { ["PK": pk, "SK": .s($0.sortKey)] })
        let next = page.lastEvaluatedKey?["SK"]?.stringValue.map(ImageCursor.init(sortKey:))
        return ImagePage(
            images: page.items.compactMap(ImageRecord.init(item:)).filter { $0.album == album }, cursor: next)
    }

    /// The processed photos of `album` and their current faces (one Query of the album's partition;
    /// `consistent` for a strongly consistent one).
    public func album(_ album: String, consistent: Bool = false) async throws(AWSError) -> AlbumContents {
        let query = DynamoDBQuery(
            table: table, keyCondition: "PK = :pk",
            attributes: .init(values: [":pk": .s(StorageLayout.partitionKey(album: album))]), consistentRead: consistent)
        return AlbumContents(items: try await dynamo.queryAll(query), album: album)
    }

    /// The face items of `album` not yet in its packed face index (the sparse
    /// ``StorageLayout/unindexedFacesIndex``; eventually consistent, as any index read). They are not
    /// joined to their image items: the caller checks the versions of the faces it keeps.
    public func unindexedFaces(album: String) async throws(AWSError) -> [FaceRecord] {
        let query = DynamoDBQuery(
            table: table, keyCondition: "#u = :pk",
            attributes: .init(
                names: ["#u": StorageLayout.unindexedAttribute], values: [":pk": .s(StorageLayout.partitionKey(album: album))]),
            index: StorageLayout.unindexedFacesIndex)
        return try await dynamo.queryAll(query).compactMap(FaceRecord.init(item:)).filter { $0.album == album }
    }

    /// The face item `index` of `key` (any version), or nil.
    public func face(key: String, index: Int) async throws(AWSError) -> FaceRecord? {
        let item = try await dynamo.getItem(
            table: table,
            key: [
                "PK": .s(StorageLayout.partitionKey(album: StorageLayout.album(ofKey: key))),
                "SK": .s(StorageLayout.faceSortKey(key: key, index: index)),
            ])
        return item.flatMap(FaceRecord.init(item:)).flatMap { $0.key == key ? $0 : nil }
    }

    /// The current faces of every processed photo of `album`.
    public func faces(album: String) async throws(AWSError) -> [FaceRecord] {
        try await self.album(album).faces
    }

    /// The faces of `image` (its version only, index order); empty unless it is `processed`.
    public func faces(of image: ImageRecord, consistent: Bool = false) async throws(AWSError) -> [FaceRecord] {
        guard image.status == .processed, image.faceCount > 0 else { return [] }
        return try await faceItems(key: image.key, consistent: consistent).compactMap(FaceRecord.init(item:))
            .filter(image.isCurrent).sorted { $0.index < $1.index }
    }

    /// Every face item stored for `key`, whatever its version or shape (for the writer's clean-ups).
    func faceItems(key: String, consistent: Bool) async throws(AWSError) -> [DynamoDBItem] {
        let album = StorageLayout.album(ofKey: key)
        let query = DynamoDBQuery(
            table: table, keyCondition: "PK = :pk AND begins_with(SK, :prefix)",
            attributes: .init(
                values: [
                    ":pk": .s(StorageLayout.partitionKey(album: album)), ":prefix": .s(StorageLayout.faceSortKeyPrefix(key: key)),
                ]),
            consistentRead: consistent)
        // `FACE#a#` also prefixes the faces of a key such as `a#b`: match the key attribute exactly.
        return try await dynamo.queryAll(query).filter { $0["key"]?.stringValue == key }
    }
}

extension ImageRecord {
    /// True when `face` belongs to this version of this image (same key, same `version`).
    public func isCurrent(_ face: FaceRecord) -> Bool {
        face.key == key && face.version == version
    }
}
