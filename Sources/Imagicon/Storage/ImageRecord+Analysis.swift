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
            exif: StorageBounds.bounded(analysis.metadata),
            thumbnails: analysis.thumbnails.map {
                ThumbnailEntry(
                    key: StorageLayout.thumbnailKey(for: object.key, size: $0.size, version: object.version, format: $0.format),
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
            faceCount: 0, status: .failed, error: StorageBounds.capped(error), processedAt: Self.timestamp(date), version: object.version)
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
                landmarks: face.landmarks, descriptor: face.descriptor, version: object.version,
                thumbnail: index < analysis.faceThumbnails.count
                    ? StorageLayout.faceThumbnailKey(for: object.key, version: object.version, index: index) : nil)
        }
    }
}

/// Everything processing one object writes, built from its bytes: the image item, the face items
/// and the thumbnails with their keys. `process` (S3 + DynamoDB) and `imagicon process` (local
/// files) both build it here and differ only in where they put it.
public struct ObjectOutput: Sendable {
    /// One thumbnail and the key it is stored under.
    public struct Thumbnail: Sendable {
        /// Key in the thumbnail bucket (``StorageLayout/thumbnailKey(for:size:version:format:)``, or
        /// ``StorageLayout/faceThumbnailKey(for:version:index:)`` for a face's).
        public var key: String
        /// The encoded image.
        public var thumbnail: EncodedThumbnail
    }

    /// The image item.
    public var image: ImageRecord
    /// The face items (empty for a failed image).
    public var faces: [FaceRecord]
    /// The thumbnails, the image item's sizes then one per face (empty for a failed image): all
    /// uploaded, recorded in the upload record and swept together.
    public var thumbnails: [Thumbnail]
    /// Milliseconds per analysis stage.
    public var timings: [String: Double]
    /// Faces detected but not kept (``ImageAnalysis/facesDropped``).
    public var facesDropped = 0

    /// Analyzes `body`: a bad image is a `failed` output, not an error.
    public static func build(_ object: ObjectIdentity, body: [UInt8], analyzer: ImageAnalyzer) -> ObjectOutput {
        do {
            return ObjectOutput(object, analysis: try analyzer.analyze(body))
        } catch {
            return .failed(object, error: String(describing: error), format: ImageFormat.sniff(body))
        }
    }

    /// The output of an analyzed image.
    public init(_ object: ObjectIdentity, analysis: ImageAnalysis) {
        image = .processed(object, analysis: analysis)
        faces = FaceRecord.records(object, analysis: analysis)
        thumbnails = zip(image.thumbnails, analysis.thumbnails).map { Thumbnail(key: $0.key, thumbnail: $1) }
        thumbnails += zip(faces, analysis.faceThumbnails).compactMap { face, thumbnail in
            face.thumbnail.map { Thumbnail(key: $0, thumbnail: thumbnail) }
        }
        timings = analysis.timings
        facesDropped = analysis.facesDropped
    }

    /// The output of an object that is not a usable image.
    public static func failed(_ object: ObjectIdentity, error: String, format: ImageFormat? = nil) -> ObjectOutput {
        ObjectOutput(image: .failed(object, error: error, format: format), faces: [], thumbnails: [], timings: [:])
    }

    init(image: ImageRecord, faces: [FaceRecord], thumbnails: [Thumbnail], timings: [String: Double]) {
        self.image = image
        self.faces = faces
        self.thumbnails = thumbnails
        self.timings = timings
    }
}
