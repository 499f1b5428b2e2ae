import AWSCore
import DynamoDB
import ImageKit

/// Where things live, per DESIGN.md's storage contract: albums, thumbnail keys, table keys.
public enum StorageLayout {
    /// Prefix of every thumbnail key; objects under it are never processed (recursion guard).
    public static let thumbnailPrefix = "thumbnails/"

    /// The album of a key is its parent path: `weddings/2026/IMG_1.jpg` -> `weddings/2026`, `IMG_1.jpg` -> `""`.
    public static func album(ofKey key: String) -> String {
        guard let slash = key.lastIndex(of: "/") else { return "" }
        return String(key[..<slash])
    }

    /// Longest S3 key, in UTF-8 bytes.
    public static let maxS3KeyBytes = 1024

    /// `thumbnails/<W>x<H>[c]/<original key>/<version tag>.<ext>`: one key per size and version, so a
    /// new upload of a key never overwrites (or is cached as) an older one's thumbnail, and the
    /// versions of one key list under one prefix for the sweep. When that would exceed S3's key limit,
    /// the original key is replaced by `~<sha256 hex>` (see ``thumbnailFolder(for:size:)``).
    public static func thumbnailKey(for key: String, size: ThumbnailSize, version: String?, format: ImageFormat) -> String {
        thumbnailFolder(for: key, size: size) + versionTag(version) + "." + format.fileExtension
    }

    /// The folder holding every version of `key`'s thumbnails of one size (ends with `/`).
    public static func thumbnailFolder(for key: String, size: ThumbnailSize) -> String {
        // Room for the longest tag (40 hex digits) and extension.
        keyFolder(size.description, key: key, room: 46)
    }

    /// `thumbnails/<kind>/<original key>/`, the key replaced by `~<sha256 hex>` when `room` more
    /// bytes would pass S3's key limit.
    static func keyFolder(_ kind: String, key: String, room: Int) -> String {
        let folder = "\(thumbnailPrefix)\(kind)/\(key)/"
        guard folder.utf8.count + room > maxS3KeyBytes else { return folder }
        return "\(thumbnailPrefix)\(kind)/~\(Digests.sha256Hex(Array(key.utf8)))/"
    }

    /// Side of a face thumbnail, in pixels.
    public static let faceThumbnailSide = 160

    /// `thumbnails/faces/<original key>/<version tag>/<index>.jpg`: the face thumbnail of one face of
    /// one version (the key hashed as for ``thumbnailKey(for:size:version:format:)``). `faces` is not
    /// a thumbnail size, so no size folder collides with it.
    public static func faceThumbnailKey(for key: String, version: String?, index: Int) -> String {
        // Room for the longest tag (40 hex digits), a slash, an index and the extension.
        keyFolder("faces", key: key, room: 66) + versionTag(version) + "/\(index).jpg"
    }

    /// The file name part of a version: its significant hex digits (trailing zeros of the sortable
    /// form dropped), or `unversioned` for events without a sequencer.
    static func versionTag(_ version: String?) -> String {
        guard let version else { return "unversioned" }
        var tag = Substring(version)
        while tag.count > 1, tag.last == "0" { tag = tag.dropLast() }
        return String(tag)
    }

    /// The version a thumbnail file name carries (nil for `unversioned` or a name this layout did not make).
    static func version(ofThumbnailName name: Substring) -> String?? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        let tag = name[..<dot]
        if tag == "unversioned" { return .some(nil) }
        return S3Sequencer.version(String(tag)).map { .some($0) }
    }

    /// True when `thumbnailKey` is one of the thumbnail keys this layout gives `key`, or the layout
    /// before versions gave it (a record is not trusted to point at another object).
    public static func isThumbnailKey(_ thumbnailKey: String, of key: String) -> Bool {
        guard isKey(thumbnailKey, under: thumbnailPrefix) else { return false }
        if isUnversionedThumbnailKey(thumbnailKey, of: key) { return true }
        let rest = thumbnailKey.utf8.dropFirst(thumbnailPrefix.utf8.count)
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")), let size = ThumbnailSize(String(decoding: rest[..<slash], as: UTF8.self))
        else { return false }
        let folder = thumbnailFolder(for: key, size: size)
        guard isKey(thumbnailKey, under: folder) else { return false }
        let name = thumbnailKey.utf8.dropFirst(folder.utf8.count)
        return !name.contains(UInt8(ascii: "/")) && version(ofThumbnailName: Substring(name)) != nil
    }

    /// True for a key of the layout before versions, `thumbnails/<W>x<H>[c]/<original key>`.
    static func isUnversionedThumbnailKey(_ thumbnailKey: String, of key: String) -> Bool {
        guard isKey(thumbnailKey, under: thumbnailPrefix) else { return false }
        let rest = thumbnailKey.utf8.dropFirst(thumbnailPrefix.utf8.count)
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else { return false }
        return ThumbnailSize(String(decoding: rest[..<slash], as: UTF8.self)) != nil
            && rest[rest.index(after: slash)...].elementsEqual(key.utf8)
    }

    /// Prefix of temporary workspaces (search ZIPs, uploaded selfies), expired by a lifecycle rule.
    public static let sessionsPrefix = "sessions/"

    /// `sessions/<name>`: a temporary object (a ZIP, a selfie), expired by the lifecycle rule.
    public static func sessionKey(_ name: String) -> String { sessionsPrefix + name }

    /// Prefix of the albums API's albums: album `<id>` keeps its photos under `albums/<id>/`.
    public static let albumsPrefix = "albums/"

    /// True for keys the pipeline must not process (its own output).
    public static func isThumbnailKey(_ key: String) -> Bool {
        isKey(key, under: thumbnailPrefix)
    }

    /// True when `key` starts with `prefix` byte for byte. S3 compares bytes; Swift's `hasPrefix`
    /// compares characters, and `"sessions/\u{301}x"` (a combining accent after the slash) would not
    /// start with `"sessions/"` for it. Every security prefix check goes through here.
    public static func isKey(_ key: String, under prefix: String) -> Bool {
        key.utf8.starts(with: prefix.utf8)
    }

    /// True for keys that are never album photos: thumbnails (recursion guard) and session workspaces.
    public static func isNotAlbumPhoto(_ key: String) -> Bool {
        isKey(key, under: thumbnailPrefix) || isKey(key, under: sessionsPrefix)
    }

    /// Partition key of an album: `ALBUM#<album>`.
    public static func partitionKey(album: String) -> String { "ALBUM#\(album)" }

    /// Longest key (UTF-8 bytes) that goes into a sort key as is: `FACE#<key>#<index>` must stay
    /// within DynamoDB's 1,024-byte sort-key limit. Longer keys (S3 allows 1,024 bytes) go in hashed.
    public static let maxSortKeyKeyBytes = 1000

    /// The key as sort keys carry it: the key itself, or `~<sha256 hex>` when it is longer than
    /// ``maxSortKeyKeyBytes`` (the item's `key` attribute always holds the full key).
    public static func sortKeyPart(key: String) -> String {
        key.utf8.count <= maxSortKeyKeyBytes ? key : "~" + Digests.sha256Hex(Array(key.utf8))
    }

    /// Sort key of an image item: `IMAGE#<key>` (long keys hashed, see ``sortKeyPart(key:)``).
    public static func imageSortKey(key: String) -> String { "IMAGE#\(sortKeyPart(key: key))" }

    /// Sort-key prefix of every image item of an album.
    public static let imageSortKeyPrefix = "IMAGE#"

    /// Sort-key prefix of a key's face items: `FACE#<key>#`.
    public static func faceSortKeyPrefix(key: String) -> String { "FACE#\(sortKeyPart(key: key))#" }

    /// Sort key of one face item: `FACE#<key>#<index>`.
    public static func faceSortKey(key: String, index: Int) -> String { "FACE#\(sortKeyPart(key: key))#\(index)" }

    /// Sort key of an album's people state item (``PeopleStore``): `PEOPLE`.
    public static let peopleSortKey = "PEOPLE"

    /// Sort-key prefix of an album's person items.
    public static let personSortKeyPrefix = "PERSON#"

    /// Sort key of one person item: `PERSON#<id>`.
    public static func personSortKey(id: Int) -> String { "\(personSortKeyPrefix)\(id)" }

    /// Prefix of the people job's own objects (never processed: under ``thumbnailPrefix``; `people`
    /// is not a thumbnail size, so no thumbnail folder collides with it).
    public static let peoplePrefix = thumbnailPrefix + "people/"

    /// `thumbnails/people/<album>/state/<version>-<nonce>.json`: one people state of an album (the
    /// album hashed as `~<sha256 hex>` when the key would get long). The nonce keeps two runs that
    /// race for the same version from writing the same object.
    public static func peopleStateKey(album: String, version: Int, nonce: String) -> String {
        peopleFolder(album: album) + "state/\(version)-\(nonce).json"
    }

    /// The folder of an album's people objects (ends with `/`).
    static func peopleFolder(album: String) -> String {
        let part = album.utf8.count <= 512 ? album : "~" + Digests.sha256Hex(Array(album.utf8))
        return "\(peoplePrefix)\(part)/"
    }
}

extension StorageLayout {
    /// Sort key of an album's packed face index item (``FaceIndexStore``): `FACEINDEX`.
    public static let faceIndexSortKey = "FACEINDEX"

    /// `thumbnails/people/<album>/index/<version>-<nonce>.bin`: one packed face index of an album
    /// (``PackedFaceIndex``), built with people state `version`.
    public static func faceIndexKey(album: String, version: Int, nonce: String) -> String {
        peopleFolder(album: album) + "index/\(version)-\(nonce).bin"
    }

    /// The attribute a face item carries (holding its `PK`) until the album's packed face index holds
    /// the face: `process` writes it, the people job removes it. It keys ``unindexedFacesIndex``.
    public static let unindexedAttribute = "unindexedAlbum"

    /// The sparse global secondary index of the faces not yet in their album's packed index
    /// (partition `unindexedAlbum`, sort `SK`; key, index, box, descriptor and version copied).
    public static let unindexedFacesIndex = "UnindexedFaces"

    /// The records table as template.yaml defines it (keys and the one secondary index), for local
    /// stacks, benchmarks and tests.
    public static let tableIndexes = [
        DynamoDBGlobalIndex(
            name: unindexedFacesIndex, partitionKey: (unindexedAttribute, .string), sortKey: ("SK", .string),
            included: ["key", "index", "box", "descriptor", "version"])
    ]

    /// Creates the records table (`PK`, `SK`, ``tableIndexes``) as template.yaml does.
    @discardableResult
    public static func createTable(_ table: String, dynamo: DynamoDBClient) async throws(AWSError) -> DynamoDBTableDescription? {
        try await dynamo.createTable(table, partitionKey: ("PK", .string), sortKey: ("SK", .string), indexes: tableIndexes)
    }
}
