#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ApiService {
    /// One match of a find.
    struct FindMatch: Encodable {
        var photoId: String
        var distance: Double
        var thumbnails: PhotoSummary.Thumbnails
        var original: String
    }

    /// `POST /api/albums/{id}/find`: the selfie as the raw body (`image/*`) or `{"image": "<base64>"}`
    /// (optional `"threshold"`, only lower than the server's, and `"zip": true`; `?zip=true` for a raw
    /// body) -> `{"matches":[{"photoId","distance","thumbnails","original"}], "zip": {"url"}}`, best
    /// first, at most ``Settings/maxMatches``. The selfie is never stored.
    func find(_ album: Album, _ request: FunctionURLRequest) async throws -> FunctionURLResponse {
        struct Body: Decodable {
            var image: String
            var threshold: Double?
            var zip: Bool?
        }
        struct Answer: Encodable {
            var matches: [FindMatch]
            var zip: [String: String]?
        }
        let contentType = request.headers["content-type"]?.lowercased() ?? ""
        var selfie: [UInt8]
        var threshold = settings.faceThreshold
        var wantsZip = ["1", "true"].contains(request.queryParameters["zip"] ?? "")
        if contentType.hasPrefix("application/json") {
            let body = try decodeJSON(Body.self, from: request)
            guard let bytes = Data(base64Encoded: body.image, options: .ignoreUnknownCharacters) else {
                throw ApiError(.badRequest, "'image' must be base64.")
            }
            selfie = Array(bytes)
            if let requested = body.threshold {
                guard requested.isFinite, requested > 0 else { throw ApiError(.badRequest, "'threshold' must be a positive number.") }
                threshold = min(threshold, requested)
            }
            wantsZip = wantsZip || body.zip == true
        } else if contentType.hasPrefix("image/") {
            selfie = request.body
        } else {
            throw ApiError(.unsupportedMediaType, "Send the selfie as image/* or as JSON {\"image\": \"<base64>\"}.")
        }
        guard !selfie.isEmpty else { throw ApiError(.badRequest, "The selfie is empty.") }
        let descriptor = try describeSelfie(selfie)
        selfie = []
        let faces = try await AlbumFaces.load(album: album.storageAlbum, reader: reader, faceIndex: peopleStore.faceIndex)
        let found = try await faces.match(selfies: [descriptor], threshold: threshold, limit: settings.maxMatches)
        var matches: [FindMatch] = []
        var originals: [(bucket: String, key: String)] = []
        for match in found.ranked {
            guard let image = found.images[match.key] else { continue }
            matches.append(
                FindMatch(
                    photoId: String(image.key.split(separator: "/").last ?? ""), distance: (match.distance * 1e6).rounded() / 1e6,
                    thumbnails: try thumbnails(image), original: try presignedGet(bucket: image.bucket, key: image.key)))
            originals.append((image.bucket, image.key))
        }
        var answer = Answer(matches: matches, zip: nil)
        if wantsZip { answer.zip = ["url": try await writeZip(originals)] }
        return try json(200, answer)
    }

    /// `POST /api/albums/{id}/zip {"photoIds": [...]}` -> `{"url"}` of a ZIP of those originals.
    func zip(_ album: Album, _ request: FunctionURLRequest) async throws -> FunctionURLResponse {
        struct Body: Decodable { var photoIds: [String] }
        let ids = try decodeJSON(Body.self, from: request).photoIds
        guard (1...settings.maxZipPhotos).contains(ids.count) else {
            throw ApiError(.badRequest, "'photoIds' must list 1 to \(settings.maxZipPhotos) photos.")
        }
        var originals: [(bucket: String, key: String)] = []
        var seen: Set<String> = []
        for id in ids where seen.insert(id).inserted {
            try ApiRoute.validate(photoId: id)
            guard let image = try await reader.image(key: key(album, photoId: id)), image.status == .processed else {
                throw ApiError(.notFound, "No processed photo has the id in 'photoIds'.")
            }
            originals.append((image.bucket, image.key))
        }
        return try json(200, ["url": try await writeZip(originals)])
    }

    /// Writes the ZIP under `sessions/` (thumbnail bucket, else source bucket) and presigns it.
    func writeZip(_ originals: [(bucket: String, key: String)]) async throws -> String {
        try await ZipExport(s3: s3, bucket: settings.outputBucket)
            .write(originals, expires: 2 * settings.urlWindowSeconds).url
    }
}
