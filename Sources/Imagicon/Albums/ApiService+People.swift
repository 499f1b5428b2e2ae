import People

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A person as the people endpoints show it.
struct PersonSummary: Encodable {
    /// The face that shows the person.
    struct Cover: Encodable {
        var photoId: String
        var faceIndex: Int
        /// Presigned URL of the face thumbnail (null until `process` made one).
        var thumbnail: String?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(photoId, forKey: .photoId)
            try c.encode(faceIndex, forKey: .faceIndex)
            try c.encode(thumbnail, forKey: .thumbnail)
        }
        enum CodingKeys: String, CodingKey { case photoId, faceIndex, thumbnail }
    }
    var id: String
    var name: String?
    var hidden: Bool
    var faceCount: Int
    var photoCount: Int
    var cover: Cover?

    /// `name` and `cover` are `null` when absent, not left out.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(hidden, forKey: .hidden)
        try c.encode(faceCount, forKey: .faceCount)
        try c.encode(photoCount, forKey: .photoCount)
        try c.encode(cover, forKey: .cover)
    }
    enum CodingKeys: String, CodingKey { case id, name, hidden, faceCount, photoCount, cover }
}

extension ApiService {
    /// The album's people (state and person items), in the thumbnail bucket like the thumbnails.
    var peopleStore: PeopleStore {
        PeopleStore(dynamo: reader.dynamo, table: reader.table, s3: s3, bucket: settings.outputBucket)
    }

    /// Longest person name, in characters (after trimming).
    static let maxPersonName = 100

    func summary(_ person: PersonRecord) throws -> PersonSummary {
        PersonSummary(
            id: String(person.id), name: person.name, hidden: person.hidden, faceCount: person.faceCount,
            photoCount: person.photoCount,
            cover: try person.cover.map { cover in
                PersonSummary.Cover(
                    photoId: String(cover.key.split(separator: "/").last ?? ""), faceIndex: cover.index,
                    thumbnail: try cover.thumbnail.map {
                        try presignedGet(bucket: settings.outputBucket, key: $0)
                    })
            })
    }

    /// Owners (and the admin) may see hidden people; `view` tokens never.
    static func maySeeHidden(_ caller: Caller) -> Bool { caller.role == .admin || caller.role == .owner }

    /// `GET /api/albums/{id}/people[?hidden=true]` -> most photos first; hidden people only when asked
    /// (and only for the owner).
    func people(_ album: Album, caller: Caller, _ request: FunctionURLRequest) async throws -> FunctionURLResponse {
        var withHidden = false
        switch request.queryParameters["hidden"] {
        case nil, "false": break
        case "true":
            guard Self.maySeeHidden(caller) else { throw ApiError(.forbidden, "Only the album's owner may list hidden people.") }
            withHidden = true
        default: throw ApiError(.badRequest, "'hidden' must be true or false.")
        }
        let hiddenInState = try await hiddenPeople(album)
        let persons = try await peopleStore.persons(album: album.storageAlbum)
            .filter { withHidden || !($0.hidden || hiddenInState.contains($0.id)) }
            .sorted { ($0.photoCount, $0.faceCount, -$0.id) > ($1.photoCount, $1.faceCount, -$1.id) }
        return try json(200, ["people": try persons.map(summary)])
    }

    /// The person item `personId` names (directly, or through a merge); 404 when none, or when it
    /// is hidden from this caller.
    func visiblePerson(_ album: Album, personId: Int, caller: Caller) async throws -> PersonRecord {
        var found = try await peopleStore.person(album: album.storageAlbum, id: personId)
        if found == nil, let target = try await peopleStore.load(album: album.storageAlbum).state.person(personId) {
            found = try await peopleStore.person(album: album.storageAlbum, id: target.id)
        }
        guard let person = found else { throw ApiError(.notFound, "No such person.") }
        if !Self.maySeeHidden(caller) {
            let hidden = try await hiddenPeople(album)
            if person.hidden || hidden.contains(person.id) { throw ApiError(.notFound, "No such person.") }
        }
        return person
    }

    /// The ids the committed people state marks hidden. The state is the source of truth: an owner's
    /// hide commits it first and writes the person item after, so an item may lag behind it.
    func hiddenPeople(_ album: Album) async throws -> Set<Int> {
        Set(try await peopleStore.load(album: album.storageAlbum).state.people.filter(\.hidden).map(\.id))
    }

    /// `GET /api/albums/{id}/people/{personId}` -> `{"person"}`.
    func person(_ album: Album, personId: Int, caller: Caller) async throws -> FunctionURLResponse {
        try json(200, ["person": try summary(try await visiblePerson(album, personId: personId, caller: caller))])
    }

    /// `PATCH /api/albums/{id}/people/{personId}` `{"name"?: string|null, "hidden"?: bool}` -> `{"person"}`.
    /// The edit goes into the committed people state, so the next grouping keeps it.
    func editPerson(_ album: Album, personId: Int, _ request: FunctionURLRequest) async throws -> FunctionURLResponse {
        let body = try decodeJSON(JSONValue.self, from: request)
        guard case .object(let fields) = body else { throw ApiError(.badRequest, "Send a JSON object.") }
        var name: String??
        switch fields["name"] {
        case nil: name = nil
        case .null?: name = .some(nil)
        case .string(let raw)?:
            guard let valid = DisplayName.validated(raw, maxCharacters: Self.maxPersonName) else {
                throw ApiError(
                    .badRequest, "'name' must be 1 to \(Self.maxPersonName) characters without control characters (or null to clear it).")
            }
            name = .some(valid)
        default: throw ApiError(.badRequest, "'name' must be a string or null.")
        }
        var hidden: Bool?
        switch fields["hidden"] {
        case nil: hidden = nil
        case .bool(let b)?: hidden = b
        default: throw ApiError(.badRequest, "'hidden' must be true or false.")
        }
        guard name != nil || hidden != nil else { throw ApiError(.badRequest, "Send 'name' or 'hidden'.") }
        var target = personId
        let (_, committed) = try await peopleStore.edit(album: album.storageAlbum) { state in
            guard let person = state.person(personId) else { throw ApiError(.notFound, "No such person.") }
            target = person.id
            if let name { try state.setName(name, of: person.id) }
            if let hidden { try state.setHidden(hidden, of: person.id) }
        }
        let person = committed.state.person(target)!
        var record: PersonRecord
        if let stored = try await peopleStore.person(album: album.storageAlbum, id: target) {
            record = stored
        } else {
            record = try await derivedRecord(album: album.storageAlbum, person: person, stateVersion: committed.version)
        }
        record.name = person.name
        record.hidden = person.hidden
        record.stateVersion = committed.version
        try await peopleStore.put(record)
        return try json(200, ["person": try summary(record)])
    }

    /// `POST /api/albums/{id}/people/{personId}/merge` `{"into": "<id>"}` -> `{"person"}` (the merged
    /// one). The person's faces move to `into`; links to the old id resolve to `into`.
    func mergePerson(_ album: Album, personId: Int, _ request: FunctionURLRequest) async throws -> FunctionURLResponse {
        struct Body: Decodable {
            var into: String
        }
        let raw = try decodeJSON(Body.self, from: request).into
        guard let into = try? ApiRoute.personID(raw) else { throw ApiError(.notFound, "No person '\(raw)' to merge into.") }
        var from = personId
        var target = into
        let (base, committed) = try await peopleStore.edit(album: album.storageAlbum) { state in
            guard let source = state.person(personId) else { throw ApiError(.notFound, "No such person.") }
            guard let destination = state.person(into) else { throw ApiError(.notFound, "No person '\(raw)' to merge into.") }
            guard source.id != destination.id else { throw ApiError(.badRequest, "A person cannot be merged into itself.") }
            from = source.id
            target = destination.id
            try state.merge(source.id, into: destination.id)
        }
        let storage = album.storageAlbum
        let person = committed.state.person(target)!
        let merged: PersonRecord
        if let source = try await peopleStore.person(album: storage, id: from),
            let destination = try await peopleStore.person(album: storage, id: target)
        {
            merged = PersonRecord.merging(source, into: destination, person: person, stateVersion: committed.version)
        } else {
            merged = try await derivedRecord(album: storage, person: person, stateVersion: committed.version)
        }
        try await peopleStore.put(merged)
        try await peopleStore.deletePerson(album: storage, id: from, stateVersion: committed.version)
        for face in base.state.person(from)?.faces ?? [] {
            try await peopleStore.setPerson(target, faceID: face, stateVersion: committed.version)
        }
        return try json(200, ["person": try summary(merged)])
    }

    /// The item the next people run would write for `person` of the committed state, from the face
    /// items of its photos: for an edit that finds a person item missing (the run that made the
    /// person committed its state but has not written the item yet, or failed in between), so the
    /// item written has the person's counts, cover and centroid rather than none.
    func derivedRecord(album: String, person: Person, stateVersion: Int) async throws -> PersonRecord {
        var faces: [String: FaceRecord] = [:]
        for key in Set(person.faces.compactMap { PeopleFaceID.parse($0)?.key }).sorted() {
            for face in try await reader.faceItems(key: key, consistent: false).compactMap(FaceRecord.init(item:)) {
                faces[PeopleFaceID.of(face)] = face
            }
        }
        return PersonRecord(album: album, person: person, faces: faces, stateVersion: stateVersion)
    }

    /// `GET /api/albums/{id}/people/{personId}/photos?cursor=&limit=` -> the photos the person is in,
    /// as the photos list shows them.
    func personPhotos(_ album: Album, personId: Int, caller: Caller, _ request: FunctionURLRequest) async throws -> FunctionURLResponse {
        let state = try await peopleStore.load(album: album.storageAlbum).state
        guard let person = state.person(personId), !person.hidden || Self.maySeeHidden(caller) else {
            throw ApiError(.notFound, "No such person.")
        }
        let keys = Set(person.faces.compactMap { PeopleFaceID.parse($0)?.key })
        return try photoPage(try await allImages(of: album).filter { keys.contains($0.key) && $0.status == .processed }, request)
    }
}
