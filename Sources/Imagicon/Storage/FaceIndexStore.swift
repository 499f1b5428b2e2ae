import AWSCore
import DynamoDB
import S3

/// Where an album's packed face index (``PackedFaceIndex``) lives, and its one writer and reader.
///
/// The object is `thumbnails/people/<album>/index/<version>-<nonce>.bin` in the people bucket
/// (``StorageLayout/faceIndexKey(album:version:nonce:)``), named by the album's `FACEINDEX` item
/// (`version`: the people state version it was built with, `indexKey`, `faces`, `bytes`). A new
/// index replaces the item only with a conditional put on the exact item it read, and only when it
/// was built with a newer state; the loser deletes its object, the winner deletes the one it
/// replaced (a reader holding the old name then falls back to the face items).
public struct FaceIndexStore: Sendable {
    let table: String
    let dynamo: DynamoDBClient
    let s3: S3Client
    /// The bucket of the index objects (the people bucket).
    let bucket: String

    /// A store over `table` and `bucket`.
    public init(dynamo: DynamoDBClient, table: String, s3: S3Client, bucket: String) {
        self.dynamo = dynamo
        self.table = table
        self.s3 = s3
        self.bucket = bucket
    }

    /// What an album's `FACEINDEX` item says.
    public struct Pointer: Sendable, Equatable {
        /// The people state version the index was built with.
        public var version: Int
        /// The object's key.
        public var key: String
        /// Faces and bytes of the object, for the log.
        public var faces: Int
        public var bytes: Int
    }

    /// The album's `FACEINDEX` item, if any (a malformed one counts as none).
    public func pointer(album: String, consistent: Bool = false) async throws(AWSError) -> Pointer? {
        guard let item = try await dynamo.getItem(table: table, key: itemKey(album), consistentRead: consistent),
            let version = item["version"]?.intValue, let key = item["indexKey"]?.stringValue,
            StorageLayout.isKey(key, under: StorageLayout.peopleFolder(album: album) + "index/")
        else { return nil }
        return Pointer(version: version, key: key, faces: item["faces"]?.intValue ?? 0, bytes: item["bytes"]?.intValue ?? 0)
    }

    /// Makes `faces` (the album's current faces, as people state `stateVersion` holds them) the
    /// album's index unless one built with the same or a newer state is there. True when the item
    /// names an index built with exactly `stateVersion` afterwards (so the faces are in it).
    public func write(album: String, faces: [FaceRecord], stateVersion: Int) async throws -> Bool {
        var current = try await pointer(album: album, consistent: true)
        if let current, current.version >= stateVersion { return current.version == stateVersion }
        // A face the format cannot hold (a key over 64 KiB) leaves the old index and the flags as they are.
        guard let body = try? PackedFaceIndex(faces: faces, stateVersion: stateVersion).encoded() else { return false }
        let key = StorageLayout.faceIndexKey(album: album, version: stateVersion, nonce: AlbumID.random())
        try await s3.putObject(bucket: bucket, key: key, body: body, contentType: "application/octet-stream")
        for _ in 0..<4 {
            if try await replace(
                current, album: album, with: Pointer(version: stateVersion, key: key, faces: faces.count, bytes: body.count))
            {
                if let old = current { try await s3.deleteObject(bucket: bucket, key: old.key) }
                return true
            }
            current = try await pointer(album: album, consistent: true)
            if let current, current.version >= stateVersion { break }
        }
        try await s3.deleteObject(bucket: bucket, key: key)
        return current?.version == stateVersion
    }

    /// Puts `new` as the album's item if the item is still exactly `old`; false when it is not.
    func replace(_ old: Pointer?, album: String, with new: Pointer) async throws(AWSError) -> Bool {
        var item = itemKey(album)
        item["version"] = .number(new.version)
        item["indexKey"] = .s(new.key)
        item["faces"] = .number(new.faces)
        item["bytes"] = .number(new.bytes)
        var condition = "attribute_not_exists(PK)"
        var attributes = DynamoDBExpressionAttributes()
        if let old {
            condition = "#version = :version AND indexKey = :key"
            attributes = .init(names: ["#version": "version"], values: [":version": .number(old.version), ":key": .s(old.key)])
        }
        do {
            try await dynamo.putItem(table: table, item: item, condition: condition, attributes: attributes)
            return true
        } catch  where error.code == .conditionalCheckFailed {
            return false
        }
    }

    /// What reading the index gave.
    public enum Loaded: Sendable, Equatable {
        /// The album has no index yet.
        case none
        /// The object is gone, too large or refused by the decoder (the reason, for the log).
        case refused(String)
        /// The index and the object's size.
        case index(PackedFaceIndex, bytes: Int)
    }

    /// Reads the album's index; never trusts the object beyond what ``PackedFaceIndex`` checks.
    public func load(album: String) async throws(AWSError) -> Loaded {
        // Strongly consistent: a stale item could name an index older than the flags the job has cleared.
        guard let pointer = try await pointer(album: album, consistent: true) else { return .none }
        let body: [UInt8]
        do {
            body = try await s3.getObject(bucket: bucket, key: pointer.key, maxBytes: PackedFaceIndex.maxBytes).body
        } catch  where error.code == .notFound {
            return .refused("\(pointer.key) is gone (replaced since the item was read)")
        } catch  where error.code == .responseTooLarge {
            return .refused("\(pointer.key) is larger than \(PackedFaceIndex.maxBytes) bytes")
        }
        do {
            return .index(try PackedFaceIndex(decoding: body), bytes: body.count)
        } catch {
            return .refused("\(pointer.key): \(error)")
        }
    }

    func itemKey(_ album: String) -> DynamoDBItem {
        ["PK": .s(StorageLayout.partitionKey(album: album)), "SK": .s(StorageLayout.faceIndexSortKey)]
    }
}

extension PeopleStore {
    /// The album face index beside the people states (same table and bucket).
    public var faceIndex: FaceIndexStore { FaceIndexStore(dynamo: dynamo, table: table, s3: s3, bucket: bucket) }
}
