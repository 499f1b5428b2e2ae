import DynamoDB
import FaceKit

/// What `search` reads of one album: its processed photos and their faces, from one Query of the
/// album's partition (all pages; image and face items share `ALBUM#<album>`).
public struct AlbumIndex: Sendable, Equatable {
    /// An image item, reduced to what a match needs.
    public struct Photo: Sendable, Equatable {
        /// Bucket of the original.
        public var bucket: String
        /// Key of the original.
        public var key: String
        /// Displayed width.
        public var width: Int?
        /// Displayed height.
        public var height: Int?
        /// EXIF capture time.
        public var dateTimeOriginal: String?
        /// Key of the largest thumbnail, if any.
        public var largestThumbnailKey: String?
    }

    /// Processed photos by key.
    public var photos: [String: Photo]
    /// Faces of processed photos (faces of unfinished or failed photos are left out).
    public var faces: [AlbumFace]
    /// Items read, for the log.
    public var itemCount: Int

    /// Reads the album's partition.
    public static func load(album: String, table: String, dynamo: DynamoDBClient) async throws -> AlbumIndex {
        let query = DynamoDBQuery(
            table: table, keyCondition: "PK = :pk",
            attributes: DynamoDBExpressionAttributes(
                names: [
                    "#sk": "SK", "#k": "key", "#i": "index", "#box": "box", "#d": "descriptor", "#b": "bucket", "#w": "width",
                    "#h": "height", "#e": "exif", "#t": "thumbnails", "#s": "status",
                ],
                values: [":pk": .s(StorageLayout.partitionKey(album: album))]),
            projection: "#sk, #k, #i, #box, #d, #b, #w, #h, #e, #t, #s")
        let items = try await dynamo.queryAll(query)
        return AlbumIndex(items: items, album: album)
    }

    /// Builds the index from raw items; malformed items are skipped, never trusted.
    public init(items: [DynamoDBItem], album: String) {
        var photos: [String: Photo] = [:]
        var faces: [AlbumFace] = []
        for item in items {
            guard let sk = item["SK"]?.stringValue, let key = item["key"]?.stringValue,
                StorageLayout.album(ofKey: key) == album
            else { continue }
            if sk == StorageLayout.imageSortKey(key: key) {
                guard item["status"]?.stringValue == ImageRecord.Status.processed.rawValue,
                    let bucket = item["bucket"]?.stringValue
                else { continue }
                let thumbnail = (item["thumbnails"]?.listValue ?? []).compactMap { entry -> (String, Int)? in
                    guard let m = entry.mapValue, let k = m["key"]?.stringValue,
                        k.hasPrefix(StorageLayout.thumbnailPrefix), k.hasSuffix("/" + key)
                    else { return nil }
                    return (k, (m["width"]?.intValue ?? 0) * (m["height"]?.intValue ?? 0))
                }.max { $0.1 < $1.1 }?.0
                photos[key] = Photo(
                    bucket: bucket, key: key, width: item["width"]?.intValue, height: item["height"]?.intValue,
                    dateTimeOriginal: item["exif"]?.mapValue?["dateTimeOriginal"]?.stringValue,
                    largestThumbnailKey: thumbnail)
            } else if sk.hasPrefix(StorageLayout.faceSortKeyPrefix(key: key)) {
                guard let index = item["index"]?.intValue, let bytes = item["descriptor"]?.bytesValue, bytes.count == 512,
                    let descriptor = FaceRecord.decode(bytes), let box = item["box"]?.mapValue,
                    let left = box["left"]?.intValue, let top = box["top"]?.intValue,
                    let right = box["right"]?.intValue, let bottom = box["bottom"]?.intValue
                else { continue }
                faces.append(
                    AlbumFace(
                        key: key, index: index, box: FaceRect(left: left, top: top, right: right, bottom: bottom),
                        descriptor: descriptor))
            }
        }
        self.photos = photos
        self.faces = faces.filter { photos[$0.key] != nil }
        self.itemCount = items.count
    }
}
