import AWSCore
import DynamoDB

/// The face boxes the `process` function recorded for an original (DESIGN.md's storage
/// contract), so `fit=smart` can skip face detection (seconds) for a table read (milliseconds).
public struct StoredFaces: Sendable {
    /// Faces of one image, in displayed pixels of a `width` x `height` image.
    public struct Record: Sendable, Equatable {
        /// Displayed width the boxes refer to.
        public var width: Int
        /// Displayed height the boxes refer to.
        public var height: Int
        /// The boxes.
        public var faces: [SmartCrop.Face]
    }

    let reader: TableReader

    /// Reads records through `reader`.
    public init(reader: TableReader) {
        self.reader = reader
    }

    /// The recorded faces of `key`, or nil (detect instead) unless its image item is `processed`,
    /// from `bucket`, and from the same bytes (`etag`, quotes ignored). Read failures are nil too:
    /// the records only save time.
    public func record(bucket: String, key: String, etag: String) async -> Record? {
        guard let image = try? await reader.image(key: key), image.status == .processed, image.bucket == bucket,
            let stored = image.etag, ETag.unquote(stored) == ETag.unquote(etag),
            let width = image.width, let height = image.height, (0...10_000).contains(image.faceCount),
            let faces = try? await reader.faces(of: image)
        else { return nil }
        // Face items are written before the image item; a mismatch means a write in progress.
        guard faces.count == image.faceCount else { return nil }
        return Record(
            width: width, height: height,
            faces: faces.map {
                SmartCrop.Face(
                    left: Double($0.box.left), top: Double($0.box.top), right: Double($0.box.right),
                    bottom: Double($0.box.bottom), confidence: $0.confidence)
            })
    }
}
