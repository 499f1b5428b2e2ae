import AWSCore

/// The albums API's endpoints (DESIGN.md, "Albums API"), matched from a method and a raw path.
public enum ApiRoute: Sendable, Equatable {
    case createAlbum
    case listAlbums
    case album(String)
    case renameAlbum(String)
    case createShare(String)
    case listShares(String)
    case deleteShare(String, shareId: String)
    case uploads(String)
    case photos(String)
    case photo(String, photoId: String)
    case deletePhoto(String, photoId: String)
    case convert(String, photoId: String)
    case find(String)
    case zip(String)
    case people(String)
    case person(String, personId: Int)
    case editPerson(String, personId: Int)
    case mergePerson(String, personId: Int)
    case personPhotos(String, personId: Int)

    /// Who may call an endpoint (the admin may call every one).
    public enum Role: String, Sendable, Equatable, CaseIterable {
        case admin, owner, view, findme
    }

    /// The album the route names; nil for the admin's album collection.
    public var albumID: String? {
        switch self {
        case .createAlbum, .listAlbums: nil
        case .album(let id), .renameAlbum(let id), .createShare(let id), .listShares(let id), .deleteShare(let id, _),
            .uploads(let id), .photos(let id), .photo(let id, _), .deletePhoto(let id, _), .convert(let id, _), .find(let id),
            .zip(let id), .people(let id), .person(let id, _), .editPerson(let id, _), .mergePerson(let id, _),
            .personPhotos(let id, _):
            id
        }
    }

    /// The roles allowed to call the route.
    public var allowed: Set<Role> {
        switch self {
        case .createAlbum, .listAlbums, .renameAlbum: [.admin]
        case .createShare, .listShares, .deleteShare, .uploads, .deletePhoto, .editPerson, .mergePerson: [.admin, .owner]
        case .album, .photos, .photo, .convert, .zip, .people, .person, .personPhotos: [.admin, .owner, .view]
        case .find: [.admin, .owner, .view, .findme]
        }
    }

    /// Longest path accepted (an id is 26 characters; a photo id at most 1,024 bytes, encoded).
    static let maxPathBytes = 4096

    /// Matches a request. Unknown paths are 404, known paths with another method 405 (with `allow`);
    /// path segments are percent-decoded, and a photo id may not hold `/`, control characters or
    /// be `.`/`..`.
    public static func match(method: String, rawPath: String) throws(ApiError) -> ApiRoute {
        guard rawPath.utf8.count <= maxPathBytes, rawPath.hasPrefix("/api/") else { throw ApiError.notFound }
        var segments: [String] = []
        for raw in rawPath.dropFirst(5).split(separator: "/", omittingEmptySubsequences: false) {
            guard let segment = URIEncoding.decode(raw) else { throw ApiError(.badRequest, "The path is not valid percent-encoded UTF-8.") }
            segments.append(segment)
        }
        if segments.last == "" && segments.count > 1 { segments.removeLast() } // a trailing slash
        func methods(_ allowed: [String: ApiRoute]) throws(ApiError) -> ApiRoute {
            if let route = allowed[method] { return route }
            throw ApiError(
                .methodNotAllowed, "Use \(allowed.keys.sorted().joined(separator: " or ")) here.",
                headers: ["allow": allowed.keys.sorted().joined(separator: ", ")])
        }
        guard segments.first == "albums" else { throw ApiError.notFound }
        let rest = Array(segments.dropFirst())
        if rest.isEmpty { return try methods(["POST": .createAlbum, "GET": .listAlbums]) }
        let id = rest[0]
        switch rest.count {
        case 1:
            return try methods(["GET": .album(id), "PATCH": .renameAlbum(id)])
        case 2:
            switch rest[1] {
            case "shares": return try methods(["POST": .createShare(id), "GET": .listShares(id)])
            case "uploads": return try methods(["POST": .uploads(id)])
            case "photos": return try methods(["GET": .photos(id)])
            case "find": return try methods(["POST": .find(id)])
            case "zip": return try methods(["POST": .zip(id)])
            case "people": return try methods(["GET": .people(id)])
            default: throw ApiError.notFound
            }
        case 3 where rest[1] == "shares":
            return try methods(["DELETE": .deleteShare(id, shareId: rest[2])])
        case 3 where rest[1] == "photos":
            try validate(photoId: rest[2])
            return try methods(["GET": .photo(id, photoId: rest[2]), "DELETE": .deletePhoto(id, photoId: rest[2])])
        case 4 where rest[1] == "photos" && rest[3] == "convert":
            try validate(photoId: rest[2])
            return try methods(["GET": .convert(id, photoId: rest[2])])
        case 3 where rest[1] == "people":
            let person = try personID(rest[2])
            return try methods(["GET": .person(id, personId: person), "PATCH": .editPerson(id, personId: person)])
        case 4 where rest[1] == "people" && rest[3] == "merge":
            return try methods(["POST": .mergePerson(id, personId: try personID(rest[2]))])
        case 4 where rest[1] == "people" && rest[3] == "photos":
            return try methods(["GET": .personPhotos(id, personId: try personID(rest[2]))])
        default:
            throw ApiError.notFound
        }
    }

    /// A person id is a positive decimal number (at most 9 digits); anything else names no person (404).
    static func personID(_ segment: String) throws(ApiError) -> Int {
        guard (1...9).contains(segment.utf8.count), segment.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let id = Int(segment), id > 0
        else { throw ApiError(.notFound, "No such person.") }
        return id
    }

    /// A photo id is the file name of its key under `albums/<id>/`: not empty, at most 512 bytes,
    /// no `/`, `\` or control characters, not `.` or `..`.
    static func validate(photoId: String) throws(ApiError) {
        guard !photoId.isEmpty, photoId.utf8.count <= 512, photoId != ".", photoId != "..",
            !photoId.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") })
        else { throw ApiError(.badRequest, "The photo id is not a valid file name.") }
    }
}
