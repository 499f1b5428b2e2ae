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

    /// `thumbnails/<W>x<H>[c]/<original key>`.
    public static func thumbnailKey(for key: String, size: ThumbnailSize) -> String {
        "\(thumbnailPrefix)\(size.description)/\(key)"
    }

    /// Prefix of temporary workspaces (search ZIPs, uploaded selfies), expired by a lifecycle rule.
    public static let sessionsPrefix = "sessions/"

    /// True for keys the pipeline must not process (its own output).
    public static func isThumbnailKey(_ key: String) -> Bool {
        key.hasPrefix(thumbnailPrefix)
    }

    /// True for keys that are never album photos: thumbnails (recursion guard) and session workspaces.
    public static func isNotAlbumPhoto(_ key: String) -> Bool {
        key.hasPrefix(thumbnailPrefix) || key.hasPrefix(sessionsPrefix)
    }

    /// Partition key of an album: `ALBUM#<album>`.
    public static func partitionKey(album: String) -> String { "ALBUM#\(album)" }

    /// Sort key of an image item: `IMAGE#<key>`.
    public static func imageSortKey(key: String) -> String { "IMAGE#\(key)" }

    /// Sort-key prefix of a key's face items: `FACE#<key>#`.
    public static func faceSortKeyPrefix(key: String) -> String { "FACE#\(key)#" }

    /// Sort key of one face item: `FACE#<key>#<index>`.
    public static func faceSortKey(key: String, index: Int) -> String { "FACE#\(key)#\(index)" }
}
