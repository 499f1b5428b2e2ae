import AWSCore
import DynamoDB

/// The one writer of image, face and tombstone items, next to ``TableReader``. Every write that
/// could race with another event for the same key is conditional on `version` (the sequencer's
/// sortable form): an older version never replaces a newer one.
///
/// Tombstones (`SK = DELETED#<key>`, attributes `key`, `version`, `ttl` for the table's TTL)
/// remember a delete long enough that a create older than it, delivered late, is not resurrected.
public struct RecordWriter: Sendable {
    /// How long a tombstone is kept: past SQS's 14-day retention, the longest an event can wait.
    public static let tombstoneSeconds: Int64 = 15 * 86_400

    let table: String
    let dynamo: DynamoDBClient

    /// A writer of `table`.
    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    /// The stored state of one key, read consistently before an event is applied.
    public struct KeyState: Sendable {
        /// The raw image item (its `sequencer` orders even items written before `version` existed).
        public var image: DynamoDBItem?
        /// The version of the newest delete, when a tombstone is kept.
        public var tombstoneVersion: String?
    }

    /// Reads the image item and tombstone of `key`.
    public func state(of key: String) async throws(AWSError) -> KeyState {
        let image = try await dynamo.getItem(table: table, key: Self.imageKey(key), consistentRead: true)
        return KeyState(image: image, tombstoneVersion: try await tombstoneVersion(of: key))
    }

    /// The version of `key`'s tombstone, if one is kept.
    public func tombstoneVersion(of key: String) async throws(AWSError) -> String? {
        let item = try await dynamo.getItem(table: table, key: Self.tombstoneKey(key), consistentRead: true)
        guard let item, item["key"]?.stringValue == key else { return nil }
        return item["version"]?.stringValue
    }

    /// Writes face items, each only over a face item of the same or an older version. False when a
    /// newer version's face is already there (this writer lost; what it wrote must be removed).
    public func putFaces(_ faces: [FaceRecord]) async throws(AWSError) -> Bool {
        for face in faces {
            let (condition, attributes) = Self.notNewer(than: face.version, orEqual: true)
            do {
                try await dynamo.putItem(table: table, item: face.item, condition: condition, attributes: attributes)
            } catch  where error.code == .conditionalCheckFailed {
                return false
            }
        }
        return true
    }

    /// Writes the image item unless a newer (or the same) version is recorded. False when it lost.
    public func putImage(_ record: ImageRecord) async throws(AWSError) -> Bool {
        let (condition, attributes) = Self.notNewer(than: record.version, orEqual: false)
        do {
            try await dynamo.putItem(table: table, item: record.item, condition: condition, attributes: attributes)
            return true
        } catch  where error.code == .conditionalCheckFailed {
            return false
        }
    }

    /// Removes the image item of `key` if it is still `version` (a create that lost to a delete).
    public func removeImage(key: String, version: String) async throws(AWSError) {
        do {
            try await dynamo.deleteItem(
                table: table, key: Self.imageKey(key), condition: "#version = :version",
                attributes: .init(names: ["#version": "version"], values: [":version": .s(version)]))
        } catch  where error.code == .conditionalCheckFailed {}
    }

    /// Records a delete at `version` unless a newer delete is recorded; false when one is.
    public func putTombstone(key: String, version: String, now: Int64) async throws(AWSError) -> Bool {
        var item = Self.tombstoneKey(key)
        item["key"] = .s(key)
        item["version"] = .s(version)
        item["ttl"] = .number(now + Self.tombstoneSeconds)
        let (condition, attributes) = Self.notNewer(than: version, orEqual: true)
        do {
            try await dynamo.putItem(table: table, item: item, condition: condition, attributes: attributes)
            return true
        } catch  where error.code == .conditionalCheckFailed {
            return false
        }
    }

    /// Deletes the image item of `key` if it is older than `version` (nil: whatever it is).
    public func deleteImage(key: String, olderThan version: String?) async throws(AWSError) {
        guard let version else {
            try await dynamo.deleteItem(table: table, key: Self.imageKey(key))
            return
        }
        do {
            try await dynamo.deleteItem(
                table: table, key: Self.imageKey(key), condition: "attribute_not_exists(#version) OR #version < :version",
                attributes: .init(names: ["#version": "version"], values: [":version": .s(version)]))
        } catch  where error.code == .conditionalCheckFailed {}
    }

    /// Deletes the face items of `key` that `stale(index, version)` selects.
    public func deleteFaces(
        key: String, reader: TableReader, where stale: (Int, String?) -> Bool
    ) async throws(AWSError) -> Int {
        let items = try await reader.faceItems(key: key, consistent: true)
        let deletes: [DynamoDBWriteRequest] = items.compactMap { item in
            guard stale(item["index"]?.intValue ?? 0, item["version"]?.stringValue), let pk = item["PK"], let sk = item["SK"]
            else { return nil }
            return .delete(key: ["PK": pk, "SK": sk])
        }
        if !deletes.isEmpty { try await dynamo.batchWrite(table: table, requests: deletes) }
        return deletes.count
    }

    /// The thumbnails one version of a key uploads, recorded before the upload (a write-ahead record,
    /// `SK = UPLOADS#<key>#<version tag>`) and kept until a newer version or a delete sweeps that
    /// version: a run killed anywhere leaves a trace the sweep finds in the table, without listing the
    /// thumbnail bucket.
    public struct Intent: Sendable, Equatable {
        /// The version.
        public var version: String?
        /// Its thumbnail keys.
        public var thumbnails: [String]
    }

    /// Records the intent to upload `thumbnails` for `key` at `version`.
    public func putIntent(key: String, version: String?, thumbnails: [String], now: Int64) async throws(AWSError) {
        guard !thumbnails.isEmpty else { return }
        var item = Self.intentKey(key, version: version)
        item["key"] = .s(key)
        item["version"] = version.map(AttributeValue.s)
        item["thumbnails"] = .l(thumbnails.map(AttributeValue.s))
        item["createdAt"] = .number(now)
        try await dynamo.putItem(table: table, item: item)
    }

    /// The recorded intents of `key`, every version.
    public func intents(of key: String) async throws(AWSError) -> [Intent] {
        let query = DynamoDBQuery(
            table: table, keyCondition: "PK = :pk AND begins_with(SK, :prefix)",
            attributes: .init(
                values: [
                    ":pk": .s(StorageLayout.partitionKey(album: StorageLayout.album(ofKey: key))),
                    ":prefix": .s("UPLOADS#" + StorageLayout.sortKeyPart(key: key) + "#"),
                ]),
            consistentRead: true)
        return try await dynamo.queryAll(query, maxPages: 16).compactMap { item in
            guard item["key"]?.stringValue == key else { return nil }
            return Intent(
                version: item["version"]?.stringValue, thumbnails: (item["thumbnails"]?.listValue ?? []).compactMap(\.stringValue))
        }
    }

    /// Forgets an upload record once its thumbnails are deleted.
    public func deleteIntent(key: String, version: String?) async throws(AWSError) {
        try await dynamo.deleteItem(table: table, key: Self.intentKey(key, version: version))
    }

    static func intentKey(_ key: String, version: String?) -> DynamoDBItem {
        [
            "PK": .s(StorageLayout.partitionKey(album: StorageLayout.album(ofKey: key))),
            "SK": .s("UPLOADS#" + StorageLayout.sortKeyPart(key: key) + "#" + StorageLayout.versionTag(version)),
        ]
    }

    /// Condition "the stored item is absent, has no version, or an older one (or the same, `orEqual`)";
    /// none without a version (events without a sequencer: last writer wins).
    static func notNewer(than version: String?, orEqual: Bool) -> (String?, DynamoDBExpressionAttributes) {
        guard let version else { return (nil, .init()) }
        return (
            "attribute_not_exists(PK) OR attribute_not_exists(#version) OR #version \(orEqual ? "<=" : "<") :version",
            .init(names: ["#version": "version"], values: [":version": .s(version)])
        )
    }

    static func imageKey(_ key: String) -> DynamoDBItem {
        ["PK": .s(StorageLayout.partitionKey(album: StorageLayout.album(ofKey: key))), "SK": .s(StorageLayout.imageSortKey(key: key))]
    }

    static func tombstoneKey(_ key: String) -> DynamoDBItem {
        [
            "PK": .s(StorageLayout.partitionKey(album: StorageLayout.album(ofKey: key))),
            "SK": .s("DELETED#" + StorageLayout.sortKeyPart(key: key)),
        ]
    }
}

/// Versions compare as strings; nil (no sequencer, or written before versions) is older than any.
enum VersionOrder {
    /// True when `a` is strictly older than `b`.
    static func isOlder(_ a: String?, than b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): false
        case (nil, _): true
        case (_, nil): false
        case (let a?, let b?): a < b
        }
    }
}
