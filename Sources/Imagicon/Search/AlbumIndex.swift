import DynamoDB
import FaceKit

/// An album's processed photos and faces from the items of its partition (image and face items share
/// `ALBUM#<album>`), and the photo fields a `search` match answers with.
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

    /// Builds the index from raw items of one album; malformed items are skipped, never trusted.
    public init(items: [DynamoDBItem], album: String) {
        self.init(TableReader.AlbumContents(items: items, album: album))
    }

    /// The index of an album's processed photos and their current faces.
    public init(_ contents: TableReader.AlbumContents) {
        photos = contents.images.mapValues(Photo.init)
        faces = contents.faces.map { AlbumFace(key: $0.key, index: $0.index, box: $0.box, descriptor: $0.descriptor) }
        itemCount = contents.itemCount
    }
}

extension AlbumIndex.Photo {
    /// What a match needs of an image item (the largest thumbnail this layout gives its key).
    public init(_ image: ImageRecord) {
        let thumbnail = image.thumbnails.filter { StorageLayout.isThumbnailKey($0.key, of: image.key) }
            .max { $0.width * $0.height < $1.width * $1.height }
        self.init(
            bucket: image.bucket, key: image.key, width: image.width, height: image.height,
            dateTimeOriginal: image.exif?.dateTimeOriginal, largestThumbnailKey: thumbnail?.key)
    }
}
