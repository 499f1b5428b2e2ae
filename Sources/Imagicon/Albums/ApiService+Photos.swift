import AWSCore
import ExifKit
import FaceKit
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A photo as lists show it.
struct PhotoSummary: Encodable {
    /// Presigned thumbnail URLs: the smallest and the largest size.
    struct Thumbnails: Encodable {
        var small: String?
        var large: String?
    }
    var id: String
    var key: String
    var status: String
    var width: Int?
    var height: Int?
    var takenAt: String?
    var camera: String?
    var faceCount: Int
    var thumbnails: Thumbnails
}

extension ApiService {
    /// The content types a browser may upload (the `process` function decodes them).
    public static let uploadContentTypes: Set<String> = [
        "image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "image/avif",
    ]

    /// Every image item of the album (any status).
    func allImages(of album: Album) async throws -> [ImageRecord] {
        var images: [ImageRecord] = []
        var cursor: TableReader.ImageCursor?
        repeat {
            let page = try await reader.images(album: album.storageAlbum, cursor: cursor, limit: 1000)
            images += page.images
            cursor = page.cursor
        } while cursor != nil
        return images
    }

    /// The key of photo `photoId` of `album`: `albums/<id>/<photoId>`.
    func key(_ album: Album, photoId: String) -> String { "\(album.storageAlbum)/\(photoId)" }

    /// The smallest and largest thumbnails of a record, presigned.
    func thumbnails(_ image: ImageRecord) throws -> PhotoSummary.Thumbnails {
        let own = image.thumbnails.filter { StorageLayout.isThumbnailKey($0.key, of: image.key) }
            .sorted { ($0.width * $0.height, $0.key) < ($1.width * $1.height, $1.key) }
        let bucket = settings.thumbnailBucket ?? image.bucket
        return PhotoSummary.Thumbnails(
            small: try own.first.map { try presignedGet(bucket: bucket, key: $0.key) },
            large: try own.last.map { try presignedGet(bucket: bucket, key: $0.key) })
    }

    func summary(_ image: ImageRecord) throws -> PhotoSummary {
        PhotoSummary(
            id: String(image.key.split(separator: "/").last ?? ""), key: image.key, status: image.status.rawValue,
            width: image.width, height: image.height, takenAt: image.exif?.dateTimeOriginal, camera: Self.camera(image.exif),
            faceCount: image.faceCount, thumbnails: try thumbnails(image))
    }

    /// "Make Model", without the make twice when the model repeats it (`Canon Canon EOS 5D`).
    static func camera(_ exif: PhotoMetadata?) -> String? {
        let make = exif?.make?.trimmingASCIIWhitespace() ?? ""
        let model = exif?.model?.trimmingASCIIWhitespace() ?? ""
        if model.isEmpty { return make.isEmpty ? nil : make }
        if make.isEmpty || model.lowercased().hasPrefix(make.lowercased()) { return model }
        return "\(make) \(model)"
    }

    /// `GET /api/albums/{id}/photos?cursor=&limit=` -> newest first (by processing time), paged.
    func photos(_ album: Album, _ request: FunctionURLRequest) async throws -> FunctionURLResponse {
        try photoPage(try await allImages(of: album), request)
    }

    /// One page of `images`, newest first, by the `cursor` and `limit` of `request`.
    func photoPage(_ images: [ImageRecord], _ request: FunctionURLRequest) throws -> FunctionURLResponse {
        struct Page: Encodable {
            var photos: [PhotoSummary]
            var cursor: String?
        }
        let query = request.queryParameters
        var limit = settings.pageSize.default
        if let raw = query["limit"] {
            guard let n = Int(raw), (1...settings.pageSize.max).contains(n) else {
                throw ApiError(.badRequest, "'limit' must be 1 to \(settings.pageSize.max).")
            }
            limit = n
        }
        var after: PhotoCursor?
        if let raw = query["cursor"], !raw.isEmpty {
            guard let cursor = PhotoCursor(raw) else { throw ApiError(.badRequest, "'cursor' is not one this API made.") }
            after = cursor
        }
        let sorted = images.sorted(by: PhotoCursor.newestFirst)
        let start = after.map { cursor in sorted.firstIndex { cursor.precedes($0) } ?? sorted.count } ?? 0
        let page = sorted[start...].prefix(limit)
        let next = start + page.count < sorted.count ? page.last.map { PhotoCursor($0).string } : nil
        return try json(200, Page(photos: try page.map(summary), cursor: next))
    }

    /// `GET /api/albums/{id}/photos/{photoId}` -> the whole record, faces (boxes, no descriptors)
    /// and a presigned `original`.
    func photo(_ album: Album, photoId: String) async throws -> FunctionURLResponse {
        struct Face: Encodable {
            var index: Int
            var box: SearchResponse.Box
            var confidence: Double
            var landmarks: [[Double]]
        }
        struct Detail: Encodable {
            var id: String
            var key: String
            var status: String
            var error: String?
            var format: String?
            var size: Int64
            var width: Int?
            var height: Int?
            var takenAt: String?
            var camera: String?
            var processedAt: String
            var exif: PhotoMetadata?
            var faceCount: Int
            var faces: [Face]
            var thumbnails: PhotoSummary.Thumbnails
            var original: String
        }
        guard let image = try await reader.image(key: key(album, photoId: photoId)) else { throw ApiError.notFound }
        let faces = try await reader.faces(of: image).map { face in
            Face(
                index: face.index,
                box: .init(left: face.box.left, top: face.box.top, right: face.box.right, bottom: face.box.bottom),
                confidence: face.confidence, landmarks: face.landmarks)
        }
        return try json(
            200,
            Detail(
                id: photoId, key: image.key, status: image.status.rawValue, error: image.error, format: image.format, size: image.size,
                width: image.width, height: image.height, takenAt: image.exif?.dateTimeOriginal, camera: Self.camera(image.exif),
                processedAt: image.processedAt, exif: image.exif, faceCount: image.faceCount, faces: faces,
                thumbnails: try thumbnails(image), original: try presignedGet(bucket: image.bucket, key: image.key)))
    }

    /// `DELETE /api/albums/{id}/photos/{photoId}` -> 204; the ObjectRemoved event then removes the
    /// records and thumbnails.
    func deletePhoto(_ album: Album, photoId: String) async throws -> FunctionURLResponse {
        let key = key(album, photoId: photoId)
        do {
            _ = try await s3.headObject(bucket: settings.sourceBucket, key: key)
        } catch  where error.code == .notFound {
            throw ApiError.notFound
        }
        try await s3.deleteObject(bucket: settings.sourceBucket, key: key)
        return FunctionURLResponse(statusCode: 204, headers: ["cache-control": "private, no-store"])
    }

    /// `GET /api/albums/{id}/photos/{photoId}/convert?w=&h=&fit=&format=&q=` -> the converted
    /// original, by the `convert` function's rules, cached privately.
    func convert(_ album: Album, photoId: String, _ request: FunctionURLRequest) async throws -> FunctionURLResponse {
        var headers: [String: String] = [:]
        headers["if-none-match"] = request.headers["if-none-match"]
        let inner = FunctionURLRequest(
            method: "GET", rawPath: "/" + URIEncoding.encode(key(album, photoId: photoId), keepSlash: true),
            rawQueryString: request.rawQueryString, headers: headers, body: [])
        var metadata: Logger.Metadata = [:]
        var response = try await converter.respond(to: inner, metadata: &metadata)
        response.headers["cache-control"] = "private, max-age=3600"
        return response
    }

    /// `POST /api/albums/{id}/uploads {"files":[{"name","size","contentType"}]}` -> one presigned
    /// POST form per file: the key pinned under `albums/<id>/`, the content type and the size cap
    /// in the signed policy.
    func uploads(_ album: Album, _ request: FunctionURLRequest) async throws -> FunctionURLResponse {
        struct Body: Decodable {
            struct File: Decodable {
                var name: String
                var size: Int
                var contentType: String
            }
            var files: [File]
        }
        struct Upload: Encodable {
            var url: String
            var fields: [String: String]
            var key: String
            var photoId: String
        }
        let files = try decodeJSON(Body.self, from: request).files
        guard (1...settings.maxUploadFiles).contains(files.count) else {
            throw ApiError(.badRequest, "'files' must list 1 to \(settings.maxUploadFiles) files.")
        }
        var uploads: [Upload] = []
        for file in files {
            guard Self.uploadContentTypes.contains(file.contentType) else {
                throw ApiError(
                    .unsupportedMediaType,
                    "Only \(Self.uploadContentTypes.sorted().joined(separator: ", ")) can be uploaded.")
            }
            guard file.size > 0 else { throw ApiError(.badRequest, "'size' must be the file's size in bytes.") }
            guard file.size <= settings.maxUploadBytes else {
                throw ApiError(.tooLarge, "Files may be at most \(settings.maxUploadBytes >> 20) MiB.")
            }
            guard file.name.utf8.count <= 1024 else { throw ApiError(.badRequest, "'name' is longer than 1,024 bytes.") }
            let photoId = String(AlbumID.random().prefix(10)) + "-" + Self.safeFileName(file.name)
            let key = key(album, photoId: photoId)
            let form = try s3.presignedPost(
                bucket: settings.sourceBucket, key: key, contentType: file.contentType, sizeRange: 1...file.size,
                expires: settings.uploadExpirySeconds, date: now())
            uploads.append(Upload(url: form.url, fields: form.fields, key: key, photoId: photoId))
        }
        return try json(200, ["uploads": uploads])
    }

    /// A file name safe in a key, a URL and a ZIP: the last path part, ASCII letters, digits, `.`,
    /// `-` and `_` kept, anything else `_`, no leading dot, at most 100 characters.
    static func safeFileName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var out = String(
            last.unicodeScalars.map { scalar -> Character in
                let v = scalar.value
                let keep =
                    (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x2E || v == 0x2D
                    || v == 0x5F
                return keep ? Character(scalar) : "_"
            })
        while out.hasPrefix(".") { out.removeFirst() }
        if out.count > 100 { out = String(out.suffix(100)) }
        return out.isEmpty ? "photo" : out
    }
}

/// Where a page of photos ends: the last photo's processing time and key, opaque (base64url).
struct PhotoCursor: Equatable {
    var processedAt: String
    var key: String

    init(_ image: ImageRecord) {
        processedAt = image.processedAt
        key = image.key
    }

    init?(_ string: String) {
        guard string.utf8.count <= 4096 else { return nil }
        guard let data = Base64URL.decode(string), let text = String(validating: data, as: UTF8.self),
            let newline = text.firstIndex(of: "\n")
        else { return nil }
        processedAt = String(text[..<newline])
        key = String(text[text.index(after: newline)...])
    }

    var string: String { Base64URL.encode(Array("\(processedAt)\n\(key)".utf8)) }

    /// Newest processing time first, then key order.
    static func newestFirst(_ a: ImageRecord, _ b: ImageRecord) -> Bool {
        a.processedAt != b.processedAt ? a.processedAt > b.processedAt : a.key < b.key
    }

    /// True when `image` comes after this cursor in ``newestFirst`` order.
    func precedes(_ image: ImageRecord) -> Bool {
        processedAt != image.processedAt ? image.processedAt < processedAt : image.key > key
    }
}
