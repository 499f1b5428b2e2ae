import ImageKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Identity of a stored object, as the event (or a local run) gives it.
public struct ObjectIdentity: Sendable, Equatable {
    /// Bucket name.
    public var bucket: String
    /// Object key.
    public var key: String
    /// Byte size.
    public var size: Int64
    /// ETag, without quotes.
    public var etag: String?
    /// S3 sequencer of the event.
    public var sequencer: String?

    /// Creates an identity.
    public init(bucket: String, key: String, size: Int64, etag: String? = nil, sequencer: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.size = size
        self.etag = etag
        self.sequencer = sequencer
    }

    /// The album: the key's parent path.
    public var album: String { StorageLayout.album(ofKey: key) }

    /// The version its records carry: the sequencer in sortable form, nil without one.
    public var version: String? { sequencer.flatMap(S3Sequencer.version) }
}

extension ImageRecord {
    /// The record of a successfully analyzed image.
    public static func processed(_ object: ObjectIdentity, analysis: ImageAnalysis, at date: Date = Date()) -> ImageRecord {
        ImageRecord(
            bucket: object.bucket, key: object.key, album: object.album, size: object.size, etag: object.etag,
            sequencer: object.sequencer, format: analysis.format.rawValue, width: analysis.width, height: analysis.height,
            exif: analysis.metadata,
            thumbnails: analysis.thumbnails.map {
                ThumbnailEntry(
                    key: StorageLayout.thumbnailKey(for: object.key, size: $0.size),
                    width: $0.width, height: $0.height, bytes: $0.bytes.count)
            },
            faceCount: analysis.faces.count, status: .processed, error: nil, processedAt: Self.timestamp(date),
            version: object.version)
    }

    /// The record of an object that is not a usable image: the invocation still succeeds (no retry storm).
    public static func failed(_ object: ObjectIdentity, error: String, format: ImageFormat? = nil, at date: Date = Date()) -> ImageRecord {
        ImageRecord(
            bucket: object.bucket, key: object.key, album: object.album, size: object.size, etag: object.etag,
            sequencer: object.sequencer, format: format?.rawValue, width: nil, height: nil, exif: nil, thumbnails: [],
            faceCount: 0, status: .failed, error: error, processedAt: Self.timestamp(date), version: object.version)
    }

    /// ISO 8601 UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon)
                .timeZone(separator: .omitted))
    }
}

extension FaceRecord {
    /// The face records of an analyzed image, index order = analysis order.
    public static func records(_ object: ObjectIdentity, analysis: ImageAnalysis) -> [FaceRecord] {
        analysis.faces.enumerated().map { index, face in
            FaceRecord(
                album: object.album, key: object.key, index: index, box: face.box, confidence: face.confidence,
                landmarks: face.landmarks, descriptor: face.descriptor, version: object.version)
        }
    }
}
