import AWSCore
import DynamoDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An album of the albums API: its photos live under `albums/<id>/` (the storage contract's album
/// `albums/<id>`).
public struct Album: Sendable, Equatable, Codable {
    /// 26-character base32 id.
    public var id: String
    /// Display name.
    public var name: String
    /// ISO 8601 creation time.
    public var createdAt: String

    /// The storage contract's album of this album's photos: `albums/<id>`.
    public var storageAlbum: String { Self.storageAlbum(id: id) }

    /// `albums/<id>`.
    public static func storageAlbum(id: String) -> String { "\(StorageLayout.albumsPrefix)\(id)" }

    /// A name as stored: trimmed, 1 to 200 characters (at most 800 UTF-8 bytes), no control characters; nil otherwise.
    public static func validName(_ raw: String) -> String? { DisplayName.validated(raw, maxCharacters: 200) }
}

/// What a share token lets its holder do.
public enum ShareScope: String, Sendable, Codable, CaseIterable {
    /// Browse the album and find me.
    case view
    /// Only find me: the guest sees nothing but the photos their selfie matches.
    case findme
}

/// A share of an album, as its owner sees it (never the token).
public struct Share: Sendable, Equatable, Codable {
    /// Random id, used to revoke the share.
    public var shareId: String
    /// The scope.
    public var scope: ShareScope
    /// ISO 8601 creation time.
    public var createdAt: String
    /// ISO 8601 expiry.
    public var expiresAt: String
}

/// Albums and shares in the table (DESIGN.md, "Albums API"): the album item
/// `PK=ALBUM#albums/<id>`, `SK=META` (name, createdAt, the owner token's SHA-256); share items
/// `SK=SHARE#<sha256 of token>` (shareId, scope, createdAt, expiresAt, `ttl` for DynamoDB's TTL);
/// and one listing item per album, `PK=ALBUMS`, `SK=ALBUM#<id>`, so the admin's list is one Query.
/// Reads that decide access are strongly consistent, so a revoked share stops working at once.
public struct AlbumStore: Sendable {
    let dynamo: DynamoDBClient
    let table: String

    /// A store over `table`.
    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    /// The partition of the admin's album list.
    static let listPartition = "ALBUMS"

    static func albumKey(_ id: String) -> DynamoDBItem {
        ["PK": .s(StorageLayout.partitionKey(album: Album.storageAlbum(id: id))), "SK": "META"]
    }

    static func shareKey(_ id: String, tokenSHA256: String) -> DynamoDBItem {
        ["PK": .s(StorageLayout.partitionKey(album: Album.storageAlbum(id: id))), "SK": .s("SHARE#\(tokenSHA256)")]
    }

    static func timestamp(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
    }

    /// Creates an album with a new id; returns it and its owner token (shown once, never stored).
    public func createAlbum(name: String, now: Date) async throws(AWSError) -> (album: Album, ownerToken: String) {
        let album = Album(id: AlbumID.random(), name: name, createdAt: Self.timestamp(now))
        let token = AccessToken.make(albumID: album.id)
        var item = Self.albumKey(album.id)
        item["id"] = .s(album.id)
        item["name"] = .s(album.name)
        item["createdAt"] = .s(album.createdAt)
        item["ownerTokenSHA256"] = .s(AccessToken.sha256Hex(token))
        _ = try await dynamo.putItem(table: table, item: item, condition: "attribute_not_exists(PK)")
        _ = try await dynamo.putItem(
            table: table,
            item: [
                "PK": .s(Self.listPartition), "SK": .s("ALBUM#\(album.id)"), "id": .s(album.id), "name": .s(album.name),
                "createdAt": .s(album.createdAt),
            ])
        return (album, token)
    }

    /// The album and its owner token's hash, or nil.
    public func album(id: String) async throws(AWSError) -> (album: Album, ownerTokenSHA256: String)? {
        guard AlbumID.isValid(id),
            let item = try await dynamo.getItem(table: table, key: Self.albumKey(id), consistentRead: true),
            let name = item["name"]?.stringValue, let createdAt = item["createdAt"]?.stringValue,
            let hash = item["ownerTokenSHA256"]?.stringValue
        else { return nil }
        return (Album(id: id, name: name, createdAt: createdAt), hash)
    }

    /// Every album, oldest first.
    public func albums() async throws(AWSError) -> [Album] {
        let items = try await dynamo.queryAll(
            DynamoDBQuery(table: table, keyCondition: "PK = :pk", attributes: .init(values: [":pk": .s(Self.listPartition)])))
        return items.compactMap { item in
            guard let id = item["id"]?.stringValue, let name = item["name"]?.stringValue,
                let createdAt = item["createdAt"]?.stringValue
            else { return nil }
            return Album(id: id, name: name, createdAt: createdAt)
        }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Renames album `id` (its item and its entry in the admin's list); nil when there is no such album.
    public func renameAlbum(id: String, name: String) async throws(AWSError) -> Album? {
        guard AlbumID.isValid(id) else { return nil }
        let item: DynamoDBItem?
        do {
            item = try await dynamo.updateItem(
                table: table, key: Self.albumKey(id), update: "SET #name = :name", condition: "attribute_exists(PK)",
                attributes: .init(names: ["#name": "name"], values: [":name": .s(name)]), returnValues: .allNew)
        } catch  where error.code == .conditionalCheckFailed {
            return nil
        }
        guard let item, let createdAt = item["createdAt"]?.stringValue else { return nil }
        let album = Album(id: id, name: name, createdAt: createdAt)
        _ = try await dynamo.putItem(
            table: table,
            item: [
                "PK": .s(Self.listPartition), "SK": .s("ALBUM#\(id)"), "id": .s(id), "name": .s(name), "createdAt": .s(createdAt),
            ])
        return album
    }

    /// Creates a share of album `id`; returns it and its token (shown once, never stored).
    public func createShare(albumID id: String, scope: ShareScope, now: Date, expiresAt: Date) async throws(AWSError) -> (
        share: Share, token: String
    ) {
        let token = AccessToken.make(albumID: id)
        let share = Share(
            shareId: AlbumID.random(), scope: scope, createdAt: Self.timestamp(now), expiresAt: Self.timestamp(expiresAt))
        var item = Self.shareKey(id, tokenSHA256: AccessToken.sha256Hex(token))
        item["shareId"] = .s(share.shareId)
        item["scope"] = .s(scope.rawValue)
        item["createdAt"] = .s(share.createdAt)
        item["expiresAt"] = .s(share.expiresAt)
        // DynamoDB deletes expired items within days; access checks compare expiresAt themselves.
        item["ttl"] = .number(Int(expiresAt.timeIntervalSince1970.rounded(.up)))
        _ = try await dynamo.putItem(table: table, item: item)
        return (share, token)
    }

    /// The unexpired share of album `id` whose token hashes to `tokenSHA256`, or nil.
    public func share(albumID id: String, tokenSHA256: String, now: Date) async throws(AWSError) -> Share? {
        guard let item = try await dynamo.getItem(table: table, key: Self.shareKey(id, tokenSHA256: tokenSHA256), consistentRead: true),
            let share = Self.share(item), let expiry = try? Date(share.expiresAt, strategy: .iso8601), expiry > now
        else { return nil }
        return share
    }

    /// The album's shares (expired ones included, until DynamoDB's TTL removes them).
    public func shares(albumID id: String) async throws(AWSError) -> [Share] {
        try await shareItems(albumID: id).compactMap(Self.share).sorted { ($0.createdAt, $0.shareId) < ($1.createdAt, $1.shareId) }
    }

    /// Revokes a share at once; false when the album has no share with that id.
    public func deleteShare(albumID id: String, shareId: String) async throws(AWSError) -> Bool {
        guard let item = try await shareItems(albumID: id).first(where: { $0["shareId"]?.stringValue == shareId }),
            let pk = item["PK"], let sk = item["SK"]
        else { return false }
        _ = try await dynamo.deleteItem(table: table, key: ["PK": pk, "SK": sk])
        return true
    }

    func shareItems(albumID id: String) async throws(AWSError) -> [DynamoDBItem] {
        try await dynamo.queryAll(
            DynamoDBQuery(
                table: table, keyCondition: "PK = :pk AND begins_with(SK, :share)",
                attributes: .init(values: [
                    ":pk": .s(StorageLayout.partitionKey(album: Album.storageAlbum(id: id))), ":share": "SHARE#",
                ]),
                consistentRead: true))
    }

    static func share(_ item: DynamoDBItem) -> Share? {
        guard let shareId = item["shareId"]?.stringValue, let scope = item["scope"]?.stringValue.flatMap(ShareScope.init(rawValue:)),
            let createdAt = item["createdAt"]?.stringValue, let expiresAt = item["expiresAt"]?.stringValue
        else { return nil }
        return Share(shareId: shareId, scope: scope, createdAt: createdAt, expiresAt: expiresAt)
    }
}
