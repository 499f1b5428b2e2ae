import AWSCore
import DynamoDB
import People
import S3

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where an album's people live, and the one writer of them.
///
/// - The **state** (``PeopleState``: who is in which person, names, hides, merges) is a JSON object in
///   the thumbnail bucket (``StorageLayout/peopleStateKey(album:version:nonce:)``), named by the
///   album's `PEOPLE` item (`version` N, `stateKey`). A new state is committed by a conditional put
///   of that item on the version it was made from, so of two runs (or a run and an owner's edit)
///   made from the same version exactly one wins; the loser deletes its object and starts over from
///   the winner's state, so no name, merge or hide is ever lost.
/// - **Person items** (``PersonRecord``) and each face item's `personId` are a projection of the
///   committed state, written after the commit, each conditional on not being newer than it.
public struct PeopleStore: Sendable {
    let table: String
    let dynamo: DynamoDBClient
    let s3: S3Client
    /// The bucket of the state objects (the thumbnail bucket).
    let bucket: String

    /// A store over `table` and `bucket`.
    public init(dynamo: DynamoDBClient, table: String, s3: S3Client, bucket: String) {
        self.dynamo = dynamo
        self.table = table
        self.s3 = s3
        self.bucket = bucket
    }

    /// A committed state and its version (0: the album has none yet).
    public struct Snapshot: Sendable, Equatable {
        public var version: Int
        public var state: PeopleState
        /// The object holding it (nil for version 0).
        public var stateKey: String?
    }

    /// The current state of `album` (strongly consistent).
    public func load(album: String) async throws -> Snapshot {
        for _ in 0..<4 {
            let item = try await dynamo.getItem(table: table, key: peopleKey(album), consistentRead: true)
            guard let item, let version = item["version"]?.intValue, let stateKey = item["stateKey"]?.stringValue else {
                return Snapshot(version: 0, state: PeopleState(), stateKey: nil)
            }
            // Nil: a newer commit replaced the object between the two reads; read the item again.
            if let state = try await stateObject(stateKey) { return Snapshot(version: version, state: state, stateKey: stateKey) }
        }
        throw PeopleBusy(album: album)
    }

    /// The state stored at `key`, nil when the object is gone.
    func stateObject(_ key: String) async throws -> PeopleState? {
        let body: [UInt8]
        do {
            body = try await s3.getObject(bucket: bucket, key: key).body
        } catch {
            if error.code == .notFound { return nil }
            throw error
        }
        return try JSONDecoder().decode(PeopleState.self, from: Data(body))
    }

    /// Commits `state` over `base`; nil when another writer committed first (nothing is changed).
    public func commit(album: String, _ state: PeopleState, over base: Snapshot, faces: Int) async throws -> Snapshot? {
        let version = base.version + 1
        let key = StorageLayout.peopleStateKey(album: album, version: version, nonce: AlbumID.random())
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try await s3.putObject(bucket: bucket, key: key, body: Array(try encoder.encode(state)), contentType: "application/json")
        var item = peopleKey(album)
        item["version"] = .number(version)
        item["stateKey"] = .s(key)
        item["people"] = .number(state.people.count)
        item["faces"] = .number(faces)
        let condition = base.version == 0 ? "attribute_not_exists(PK)" : "#version = :base"
        let attributes: DynamoDBExpressionAttributes =
            base.version == 0 ? .init() : .init(names: ["#version": "version"], values: [":base": .number(base.version)])
        guard try await putIfCurrent(item, condition: condition, attributes: attributes) else {
            try await s3.deleteObject(bucket: bucket, key: key)
            return nil
        }
        if let old = base.stateKey { try await s3.deleteObject(bucket: bucket, key: old) }
        return Snapshot(version: version, state: state, stateKey: key)
    }

    /// Puts `item` under `condition`; false when the condition failed.
    func putIfCurrent(_ item: DynamoDBItem, condition: String, attributes: DynamoDBExpressionAttributes) async throws(AWSError) -> Bool {
        do {
            try await dynamo.putItem(table: table, item: item, condition: condition, attributes: attributes)
            return true
        } catch  where error.code == .conditionalCheckFailed {
            return false
        }
    }

    /// Applies `edit` to the current state and commits it, starting over when another writer
    /// commits first. Returns the committed snapshot and the one it was made from.
    public func edit(
        album: String, _ edit: (inout PeopleState) throws -> Void
    ) async throws -> (base: Snapshot, committed: Snapshot) {
        for _ in 0..<8 {
            let base = try await load(album: album)
            var state = base.state
            try edit(&state)
            if let committed = try await commit(album: album, state, over: base, faces: state.faceIDs.count) {
                return (base, committed)
            }
        }
        throw PeopleBusy(album: album)
    }

    // MARK: Person items

    /// Every person item of `album`.
    public func persons(album: String) async throws -> [PersonRecord] {
        let query = DynamoDBQuery(
            table: table, keyCondition: "PK = :pk AND begins_with(SK, :prefix)",
            attributes: .init(
                values: [":pk": .s(StorageLayout.partitionKey(album: album)), ":prefix": .s(StorageLayout.personSortKeyPrefix)]))
        return try await dynamo.queryAll(query).compactMap { PersonRecord(item: $0, album: album) }
    }

    /// The person item `id` of `album`, if any.
    public func person(album: String, id: Int) async throws -> PersonRecord? {
        let key: DynamoDBItem = ["PK": .s(StorageLayout.partitionKey(album: album)), "SK": .s(StorageLayout.personSortKey(id: id))]
        return try await dynamo.getItem(table: table, key: key).flatMap { PersonRecord(item: $0, album: album) }
    }

    /// Writes `record` unless the stored one comes from a newer state; false when it does.
    @discardableResult
    func put(_ record: PersonRecord) async throws -> Bool {
        try await putIfCurrent(
            record.item, condition: "attribute_not_exists(PK) OR stateVersion <= :v",
            attributes: .init(values: [":v": .number(record.stateVersion)]))
    }

    /// Deletes person `id` unless a newer state wrote it.
    func deletePerson(album: String, id: Int, stateVersion: Int) async throws(AWSError) {
        do {
            try await dynamo.deleteItem(
                table: table,
                key: ["PK": .s(StorageLayout.partitionKey(album: album)), "SK": .s(StorageLayout.personSortKey(id: id))],
                condition: "stateVersion <= :v", attributes: .init(values: [":v": .number(stateVersion)]))
        } catch  where error.code == .conditionalCheckFailed {}
    }

    /// Sets (or, with nil, removes) a face item's `personId` and stamps it with the state version
    /// (`peopleVersion`: the stream trigger ignores writes that carry it). Skipped when the face item
    /// is gone, has another version, or was stamped by a newer state. `packed`: the album's packed
    /// face index holds the face, so it leaves the unindexed-faces index.
    func setPerson(_ personId: Int?, faceID: String, stateVersion: Int, packed: Bool = false) async throws(AWSError) {
        guard let face = PeopleFaceID.parse(faceID) else { return }
        var values: [String: AttributeValue] = [":v": .number(stateVersion)]
        var names = ["#pv": "peopleVersion", "#p": "personId", "#version": "version"]
        var update = "SET #pv = :v"
        var removed: [String] = []
        if let personId {
            update += ", #p = :p"
            values[":p"] = .number(personId)
        } else {
            removed.append("#p")
        }
        if packed {
            names["#u"] = StorageLayout.unindexedAttribute
            removed.append("#u")
        }
        if !removed.isEmpty { update += " REMOVE " + removed.joined(separator: ", ") }
        var condition = "attribute_exists(PK) AND (attribute_not_exists(#pv) OR #pv <= :v) AND "
        if let version = face.version {
            condition += "#version = :fv"
            values[":fv"] = .s(version)
        } else {
            condition += "attribute_not_exists(#version)"
        }
        do {
            try await dynamo.updateItem(
                table: table,
                key: [
                    "PK": .s(StorageLayout.partitionKey(album: StorageLayout.album(ofKey: face.key))),
                    "SK": .s(StorageLayout.faceSortKey(key: face.key, index: face.index)),
                ], update: update, condition: condition, attributes: .init(names: names, values: values))
        } catch  where error.code == .conditionalCheckFailed {}
    }

    /// Writes the projection of `snapshot`: person items that differ from `existing`, person items
    /// the state no longer has deleted, and `personId` on every face whose person changed. With
    /// `packed` (the album's packed face index holds `faces`), faces still flagged unindexed lose the flag.
    public func project(
        album: String, _ snapshot: Snapshot, faces: [String: FaceRecord], existing: [PersonRecord], packed: Bool = false
    ) async throws -> (persons: Int, faces: Int) {
        let byID = Dictionary(existing.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var written = 0
        for person in snapshot.state.people {
            let record = PersonRecord(album: album, person: person, faces: faces, stateVersion: snapshot.version)
            var old = byID[person.id]
            old?.stateVersion = record.stateVersion
            if old != record {
                try await put(record)
                written += 1
            }
        }
        let kept = Set(snapshot.state.people.map(\.id))
        for old in existing where !kept.contains(old.id) {
            try await deletePerson(album: album, id: old.id, stateVersion: snapshot.version)
        }
        var owner: [String: Int] = [:]
        for person in snapshot.state.people { for face in person.faces { owner[face] = person.id } }
        var changed = 0
        for (id, face) in faces.sorted(by: { $0.key < $1.key }) where face.personId != owner[id] || (packed && !face.packed) {
            try await setPerson(owner[id], faceID: id, stateVersion: snapshot.version, packed: packed && !face.packed)
            changed += 1
        }
        return (written, changed)
    }

    func peopleKey(_ album: String) -> DynamoDBItem {
        ["PK": .s(StorageLayout.partitionKey(album: album)), "SK": .s(StorageLayout.peopleSortKey)]
    }
}

/// The people of an album changed under every attempt to read or commit them (many writers at once).
public struct PeopleBusy: Error, CustomStringConvertible {
    /// The album.
    public var album: String
    public var description: String { "the people of album \(album) kept changing; try again" }
}
