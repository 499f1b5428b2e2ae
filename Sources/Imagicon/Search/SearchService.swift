import AWSCore
import Dispatch
import DynamoDB
import Logging
import S3

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Milliseconds spent per stage of one search, for the log line and benchmarks.
public struct SearchTimings: Sendable, Equatable {
    /// Selfie download (keys only), decode, detection and descriptors.
    public var selfiesMs = 0.0
    /// The album read (its packed face index and the faces newer than it, or every item), wall time;
    /// it overlaps the selfie work.
    public var readMs = 0.0
    /// Distances, ranking and (with a packed index) reading the candidates' image items.
    public var computeMs = 0.0
    /// The matches' presigned URLs and fields.
    public var respondMs = 0.0
    /// Reading the originals and writing the ZIP.
    public var zipMs = 0.0
    /// Items the album read returned.
    public var items = 0
    /// Faces compared.
    public var faces = 0
    /// Bytes of the album's packed face index (0 when the items were read instead).
    public var indexBytes = 0
    /// Image items read to confirm the packed index's candidates.
    public var imagesRead = 0

    /// All zero.
    public init() {}
}

/// The `search` use case against S3 and DynamoDB, shared by the Lambda handler and `imagicon search`.
///
/// Presigned URLs are made only for keys read from the album's own partition whose parent path is the
/// album, in the bucket their image item names. Selfie keys are read from `IMAGICON_SOURCE_BUCKET`
/// (required for the `keys` form). The ZIP goes to `sessions/<uuid>.zip` in the thumbnail bucket
/// (else the source bucket), streamed with multipart upload.
public struct SearchService: Sendable {
    /// Seconds presigned URLs stay valid.
    public static let urlExpirySeconds = 900

    let table: String
    let s3: S3Client
    let dynamo: DynamoDBClient
    let encoder: SelfieEncoder
    let sourceBucket: String?
    let thumbnailBucket: String?
    /// Largest selfie read from S3.
    var maxSelfieBytes = 20 << 20
    /// Largest original put in a ZIP, and the largest ZIP.
    var maxZipBytes: UInt64 = 2 << 30

    /// Creates the service.
    public init(
        table: String, s3: S3Client, dynamo: DynamoDBClient, encoder: SelfieEncoder, sourceBucket: String?, thumbnailBucket: String?
    ) {
        self.table = table
        self.s3 = s3
        self.dynamo = dynamo
        self.encoder = encoder
        self.sourceBucket = sourceBucket
        self.thumbnailBucket = thumbnailBucket
    }

    /// Builds the service from the function's configuration (models loaded once).
    public static func make(_ configuration: Configuration, environment: [String: String]) throws -> SearchService {
        guard let table = configuration.table else { throw ConfigurationError(.missingValue, "IMAGICON_TABLE must be set for search") }
        let s3 = try HandlerFactory.awsClient(try S3Client.fromEnvironment(environment))
        let dynamo = try HandlerFactory.awsClient(try DynamoDBClient.fromEnvironment(environment))
        let models = try FaceModels(directory: configuration.modelsDirectory)
        return SearchService(
            table: table, s3: s3, dynamo: dynamo, encoder: SelfieEncoder(models: models, maxPixels: configuration.maxPixels),
            sourceBucket: configuration.sourceBucket, thumbnailBucket: configuration.thumbnailBucket)
    }

    /// Runs a validated request. Throws ``SearchError`` for the caller's mistakes; anything else is ours.
    public func search(_ request: SearchRequest, timings: inout SearchTimings) async throws -> SearchResponse {
        let readStart = DispatchTime.now().uptimeNanoseconds
        // The album read overlaps the selfie work (CPU-bound); it is cancelled when a selfie is refused.
        let reader = TableReader(dynamo: dynamo, table: table)
        let faceIndex = (thumbnailBucket ?? sourceBucket).map { FaceIndexStore(dynamo: dynamo, table: table, s3: s3, bucket: $0) }
        let album = request.album
        let read = Task { try await Self.loadTimed(album: album, reader: reader, faceIndex: faceIndex) }
        defer { read.cancel() }

        var start = DispatchTime.now().uptimeNanoseconds
        var selfies: [[Float]] = []
        for selfie in request.selfies {
            selfies.append(try encoder.descriptor(of: try await bytes(of: selfie)))
        }
        timings.selfiesMs = Self.millis(since: start)

        let (faces, readEnd) = try await read.value
        timings.readMs = Double(readEnd - readStart) / 1e6
        timings.items = faces.itemCount
        timings.faces = faces.faceCount
        timings.indexBytes = faces.indexBytes

        start = DispatchTime.now().uptimeNanoseconds
        let found = try await faces.match(selfies: selfies, threshold: request.threshold, limit: request.limit)
        timings.computeMs = Self.millis(since: start)
        timings.imagesRead = found.imagesRead
        if found.ranked.isEmpty, try await !faces.hasPhotos() {
            throw SearchError(.unknownAlbum, "The album has no processed photos.")
        }
        let ranked = found.ranked
        let photos = found.images.mapValues(AlbumIndex.Photo.init)
        start = DispatchTime.now().uptimeNanoseconds
        var matches: [SearchResponse.Match] = []
        for match in ranked {
            guard let photo = photos[match.key] else { continue }
            let thumbnailURL = try photo.largestThumbnailKey.map {
                try s3.presignedGetURL(bucket: thumbnailBucket ?? photo.bucket, key: $0, expires: Self.urlExpirySeconds)
            }
            matches.append(
                SearchResponse.Match(
                    key: match.key, distance: (match.distance * 1e6).rounded() / 1e6,
                    box: .init(left: match.box.left, top: match.box.top, right: match.box.right, bottom: match.box.bottom),
                    url: try s3.presignedGetURL(bucket: photo.bucket, key: photo.key, expires: Self.urlExpirySeconds),
                    thumbnailUrl: thumbnailURL, width: photo.width, height: photo.height, dateTimeOriginal: photo.dateTimeOriginal))
        }
        timings.respondMs = Self.millis(since: start)

        var response = SearchResponse(album: request.album, matches: matches, zip: nil)
        if request.zip {
            start = DispatchTime.now().uptimeNanoseconds
            response.zip = try await writeZip(of: ranked.compactMap { photos[$0.key] })
            timings.zipMs = Self.millis(since: start)
        }
        return response
    }

    /// The album's faces (``AlbumFaces``) and the time their read finished.
    static func loadTimed(album: String, reader: TableReader, faceIndex: FaceIndexStore?) async throws -> (AlbumFaces, UInt64) {
        let faces = try await AlbumFaces.load(album: album, reader: reader, faceIndex: faceIndex)
        return (faces, DispatchTime.now().uptimeNanoseconds)
    }

    /// The bytes of one selfie.
    func bytes(of selfie: SearchRequest.Selfie) async throws -> [UInt8] {
        switch selfie {
        case .image(let bytes):
            return bytes
        case .key(let key):
            guard let sourceBucket else {
                throw SearchError(.badRequest, "Selfie keys are not enabled here; send the image in 'images'.")
            }
            let result: Result<S3Object, AWSError>
            do {
                result = .success(try await s3.getObject(bucket: sourceBucket, key: key, maxBytes: maxSelfieBytes))
            } catch {
                result = .failure(error)
            }
            switch result {
            case .success(let object): return object.body
            case .failure(let error) where error.code == .notFound:
                throw SearchError(.badRequest, "No uploaded selfie has that key.")
            case .failure(let error) where error.code == .responseTooLarge:
                throw SearchError(.tooLarge, "The selfie is larger than \(maxSelfieBytes) bytes.")
            case .failure(let error) where error.code == .invalidRequest:
                throw SearchError(.badRequest, "The selfie key is not a valid S3 key.")
            case .failure(let error): throw error
            }
        }
    }

    /// Streams the originals into `sessions/<uuid>.zip` and presigns it.
    func writeZip(of photos: [AlbumIndex.Photo]) async throws -> SearchResponse.Zip {
        guard let bucket = thumbnailBucket ?? sourceBucket ?? photos.first?.bucket else {
            throw SearchError(.internalError, "no bucket configured for the ZIP")
        }
        let zip = try await ZipExport(s3: s3, bucket: bucket, maxBytes: maxZipBytes)
            .write(photos.map { ($0.bucket, $0.key) }, expires: Self.urlExpirySeconds)
        return SearchResponse.Zip(key: zip.key, url: zip.url)
    }

    static func millis(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }
}
