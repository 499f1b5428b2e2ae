import AWSCore
import DynamoDB
import S3

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The albums API against S3 and DynamoDB (DESIGN.md, "Albums API"): authenticates the bearer
/// token, checks that its role may make the call on that album, and answers. Shared by
/// ``ApiHandler`` and the tests that drive it in process.
///
/// Access: the admin (token hash from `IMAGICON_ADMIN_TOKEN_SHA256`) may do everything; an owner or
/// share token only acts on its own album. No, garbled, unknown, expired or revoked tokens are 401;
/// a valid token on another album (or on one that does not exist) is 404, so nobody learns which
/// albums exist; a valid token whose role does not allow the call is 403.
public struct ApiService: Sendable {
    /// Limits and buckets.
    public struct Settings: Sendable {
        /// Where originals are uploaded and read (`IMAGICON_SOURCE_BUCKET`).
        public var sourceBucket: String
        /// Where thumbnails are (`IMAGICON_THUMBNAIL_BUCKET`, else the source bucket).
        public var thumbnailBucket: String?
        /// Where our own outputs live: face thumbnails, people states, ZIPs (the thumbnail bucket, else
        /// the source bucket; the same rule as `Configuration.peopleBucket`).
        public var outputBucket: String { thumbnailBucket ?? sourceBucket }
        /// The server's "same person" distance; a find request may only lower it.
        public var faceThreshold: Double
        /// Most matches a find answers.
        public var maxMatches = 200
        /// Largest upload a form allows.
        public var maxUploadBytes = 64 << 20
        /// Most files in one uploads request.
        public var maxUploadFiles = 100
        /// Seconds an upload form stays valid.
        public var uploadExpirySeconds = 900
        /// Presigned GETs are signed at the start of a window of this many seconds and stay valid for
        /// two windows: the same URL for a whole window (cacheable), at least one window of validity.
        public var urlWindowSeconds = 3600
        /// Most photos one ZIP holds.
        public var maxZipPhotos = 200
        /// Photos per page by default and at most.
        public var pageSize = (default: 60, max: 200)

        /// Settings with the default limits.
        public init(sourceBucket: String, thumbnailBucket: String?, faceThreshold: Double) {
            self.sourceBucket = sourceBucket
            self.thumbnailBucket = thumbnailBucket
            self.faceThreshold = faceThreshold
        }
    }

    /// Who is calling: the role, and the album an owner or share token belongs to.
    public struct Caller: Sendable, Equatable {
        /// The token's role.
        public var role: ApiRoute.Role
        /// The album of an owner or share token (nil for the admin).
        public var album: Album?
    }

    let store: AlbumStore
    let reader: TableReader
    let s3: S3Client
    let adminTokenSHA256: String
    let settings: Settings
    /// The selfie's one face descriptor (``SelfieEncoder``); throws ``SearchError`` for bad selfies.
    let describeSelfie: @Sendable ([UInt8]) throws -> [Float]
    /// Serves `convert` requests for originals of the source bucket.
    let converter: ConvertHandler
    let now: @Sendable () -> Date

    /// Creates the service.
    public init(
        store: AlbumStore, reader: TableReader, s3: S3Client, adminTokenSHA256: String, settings: Settings,
        describeSelfie: @escaping @Sendable ([UInt8]) throws -> [Float], converter: ConvertHandler,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.reader = reader
        self.s3 = s3
        self.adminTokenSHA256 = adminTokenSHA256.lowercased()
        self.settings = settings
        self.describeSelfie = describeSelfie
        self.converter = converter
        self.now = now
    }

    /// Answers one request: route, authenticate, authorize, run. Throws ``HTTPResponseError``s for
    /// refusals; anything else is our failure.
    public func respond(to request: FunctionURLRequest, caller found: inout Caller?) async throws -> FunctionURLResponse {
        let route = try ApiRoute.match(method: request.method, rawPath: request.rawPath)
        // Behind CloudFront, origin access control signs the request to the Function URL with SigV4 in
        // `Authorization`; the distribution's viewer-request function moves the caller's header to
        // `x-imagicon-authorization` first (template.yaml).
        let caller = try await authenticate(request.headers["x-imagicon-authorization"] ?? request.headers["authorization"])
        found = caller
        var album: Album?
        if let id = route.albumID {
            if caller.role == .admin {
                guard let stored = try await store.album(id: id) else { throw ApiError.notFound }
                album = stored.album
            } else {
                guard let own = caller.album, own.id == id else { throw ApiError.notFound }
                album = own
            }
        }
        guard route.allowed.contains(caller.role) else { throw ApiError.forbidden }
        return try await run(route, album: album, caller: caller, request: request)
    }

    /// The caller of a bearer token; 401 for anything but a valid, unexpired, unrevoked token.
    public func authenticate(_ authorization: String?) async throws -> Caller {
        guard let authorization, authorization.utf8.count <= 512 else { throw ApiError.unauthorized }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw ApiError.unauthorized }
        let token = String(parts[1]).trimmingASCIIWhitespace()
        guard !token.isEmpty else { throw ApiError.unauthorized }
        let hash = AccessToken.sha256Hex(token)
        if AccessToken.constantTimeEqual(hash, adminTokenSHA256) { return Caller(role: .admin, album: nil) }
        guard let id = AccessToken.albumID(of: token), let stored = try await store.album(id: id) else { throw ApiError.unauthorized }
        if AccessToken.constantTimeEqual(hash, stored.ownerTokenSHA256) { return Caller(role: .owner, album: stored.album) }
        guard let share = try await store.share(albumID: id, tokenSHA256: hash, now: now()) else { throw ApiError.unauthorized }
        return Caller(role: share.scope == .view ? .view : .findme, album: stored.album)
    }

    func run(_ route: ApiRoute, album: Album?, caller: Caller, request: FunctionURLRequest) async throws -> FunctionURLResponse {
        switch route {
        case .createAlbum: return try await createAlbum(request)
        case .listAlbums: return try json(200, ["albums": try await store.albums()])
        case .album: return try await albumDetail(album!, role: caller.role)
        case .renameAlbum(let id): return try await renameAlbum(id: id, request)
        case .createShare(let id): return try await createShare(albumID: id, request)
        case .listShares(let id): return try json(200, ["shares": try await store.shares(albumID: id)])
        case .deleteShare(let id, let shareId):
            guard try await store.deleteShare(albumID: id, shareId: shareId) else { throw ApiError(.notFound, "No such share.") }
            return FunctionURLResponse(statusCode: 204, headers: ["cache-control": "private, no-store"])
        case .uploads: return try await uploads(album!, request)
        case .photos: return try await photos(album!, request)
        case .photo(_, let photoId): return try await photo(album!, photoId: photoId)
        case .deletePhoto(_, let photoId): return try await deletePhoto(album!, photoId: photoId)
        case .convert(_, let photoId): return try await convert(album!, photoId: photoId, request)
        case .find: return try await find(album!, request)
        case .zip: return try await zip(album!, request)
        case .people: return try await people(album!, caller: caller, request)
        case .person(_, let personId): return try await person(album!, personId: personId, caller: caller)
        case .editPerson(_, let personId): return try await editPerson(album!, personId: personId, request)
        case .mergePerson(_, let personId): return try await mergePerson(album!, personId: personId, request)
        case .personPhotos(_, let personId): return try await personPhotos(album!, personId: personId, caller: caller, request)
        }
    }

    // MARK: Helpers

    /// A JSON answer for an authenticated caller: private (never in a shared cache), not stored.
    func json(_ status: Int, _ value: some Encodable) throws -> FunctionURLResponse {
        var response = try FunctionURLResponse.json(status, value)
        response.headers["cache-control"] = "private, no-store"
        return response
    }

    /// Decodes a JSON body; 415 for another content type, 400 for bad JSON.
    func decodeJSON<T: Decodable>(_ type: T.Type, from request: FunctionURLRequest) throws -> T {
        let contentType = request.headers["content-type"]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw ApiError(.unsupportedMediaType, "Send the body as application/json.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(request.body))
        } catch {
            throw ApiError(.badRequest, "The JSON body does not have the fields this endpoint needs.")
        }
    }

    /// A presigned GET, signed at the start of the current URL window so it is the same URL for the
    /// whole window (browsers and CDNs can cache the image) and valid for at least one more window.
    func presignedGet(bucket: String, key: String) throws -> String {
        let window = Double(settings.urlWindowSeconds)
        let start = (now().timeIntervalSince1970 / window).rounded(.down) * window
        return try s3.presignedGetURL(
            bucket: bucket, key: key, expires: 2 * settings.urlWindowSeconds, date: Date(timeIntervalSince1970: start))
    }
}
