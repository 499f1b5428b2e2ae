#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ApiService {
    /// `POST /api/albums {"name"}` -> 201 `{"album", "ownerToken"}`.
    func createAlbum(_ request: FunctionURLRequest) async throws -> FunctionURLResponse {
        struct Body: Decodable { var name: String }
        struct Created: Encodable {
            var album: Album
            var ownerToken: String
        }
        guard let name = Album.validName(try decodeJSON(Body.self, from: request).name) else {
            throw ApiError(.badRequest, "'name' must be 1 to 200 characters without control characters.")
        }
        let (album, token) = try await store.createAlbum(name: name, now: now())
        return try json(201, Created(album: album, ownerToken: token))
    }

    /// `PATCH /api/albums/{id} {"name"}` -> `{"album"}` with the new name (admin).
    func renameAlbum(id: String, _ request: FunctionURLRequest) async throws -> FunctionURLResponse {
        struct Body: Decodable { var name: String }
        guard let name = Album.validName(try decodeJSON(Body.self, from: request).name) else {
            throw ApiError(.badRequest, "'name' must be 1 to 200 characters without control characters.")
        }
        guard let album = try await store.renameAlbum(id: id, name: name) else { throw ApiError.notFound }
        return try json(200, ["album": album])
    }

    /// `GET /api/albums/{id}` -> the album with its counts and the caller's role.
    func albumDetail(_ album: Album, role: ApiRoute.Role) async throws -> FunctionURLResponse {
        struct Detail: Encodable {
            var id: String
            var name: String
            var createdAt: String
            var photoCount: Int
            var faceCount: Int
            var role: String
        }
        let images = try await allImages(of: album).filter { $0.status == .processed }
        return try json(
            200,
            Detail(
                id: album.id, name: album.name, createdAt: album.createdAt, photoCount: images.count,
                faceCount: images.reduce(0) { $0 + $1.faceCount }, role: role.rawValue))
    }

    /// `POST /api/albums/{id}/shares {"scope", "expiresInDays"}` -> 201 `{"shareId", "token", "expiresAt"}`.
    func createShare(albumID: String, _ request: FunctionURLRequest) async throws -> FunctionURLResponse {
        struct Body: Decodable {
            var scope: String
            var expiresInDays: Double?
        }
        struct Created: Encodable {
            var shareId: String
            var token: String
            var scope: String
            var expiresAt: String
        }
        let body = try decodeJSON(Body.self, from: request)
        guard let scope = ShareScope(rawValue: body.scope) else {
            throw ApiError(.badRequest, "'scope' must be \"view\" or \"findme\".")
        }
        let days = body.expiresInDays ?? 30
        guard days.isFinite, days > 0, days <= 365 else {
            throw ApiError(.badRequest, "'expiresInDays' must be more than 0 and at most 365.")
        }
        let start = now()
        let (share, token) = try await store.createShare(
            albumID: albumID, scope: scope, now: start, expiresAt: start.addingTimeInterval(days * 86_400))
        return try json(201, Created(shareId: share.shareId, token: token, scope: scope.rawValue, expiresAt: share.expiresAt))
    }
}
