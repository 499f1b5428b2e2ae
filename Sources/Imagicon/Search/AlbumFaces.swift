/// An album's current faces as find me and `search` rank them, read the cheapest correct way:
///
/// - With a packed index (``FaceIndexStore``): that one object plus the faces not in it yet (the
///   sparse unindexed-faces index: every face `process` writes is there until the people job has
///   put it in a committed index). The index may be older than the album: faces of photos deleted
///   or replaced since are still in it, so a face only counts once its photo's image item is read
///   and is `processed` with the face's version (the rule ``TableReader/AlbumContents`` applies);
///   the image items are read for the best candidates only, until `limit` photos are confirmed.
/// - Without one (or when it is refused: gone, corrupt, another version): every item of the album's
///   partition (``TableReader/album(_:consistent:)``), as before.
public struct AlbumFaces: Sendable {
    /// Where the faces came from.
    public enum Source: Sendable, Equatable {
        /// Every item of the partition.
        case items(TableReader.AlbumContents)
        /// The packed index and the face items not in it.
        case packed(PackedFaceIndex, newer: [FaceRecord])
    }

    /// The faces.
    public var source: Source
    /// Bytes of the packed index object read (0 on the item path).
    public var indexBytes = 0
    /// Why a packed index was not used, when one was there (for the log).
    public var refused: String?
    let album: String
    let reader: TableReader

    /// Reads `album`'s faces: through `faceIndex` when it has an index, else through the items.
    public static func load(album: String, reader: TableReader, faceIndex: FaceIndexStore?) async throws -> AlbumFaces {
        var refused: String?
        if let faceIndex {
            switch try await faceIndex.load(album: album) {
            case .index(let index, let bytes):
                let newer = try await reader.unindexedFaces(album: album)
                return AlbumFaces(source: .packed(index, newer: newer), indexBytes: bytes, album: album, reader: reader)
            case .refused(let reason): refused = reason
            case .none: break
            }
        }
        return AlbumFaces(source: .items(try await reader.album(album)), refused: refused, album: album, reader: reader)
    }

    /// Items read so far (the partition, or the unindexed faces), for the log.
    public var itemCount: Int {
        switch source {
        case .items(let contents): contents.itemCount
        case .packed(_, let newer): newer.count
        }
    }

    /// Faces a match compares.
    public var faceCount: Int {
        switch source {
        case .items(let contents): contents.faces.count
        case .packed(let index, let newer): index.count + newer.count
        }
    }

    /// What a match found: the ranked photos and their image items.
    public struct Matches: Sendable, Equatable {
        /// Best first, as ``SearchRanking/rank(faces:selfies:threshold:limit:)`` orders them.
        public var ranked: [RankedMatch]
        /// The processed image items of (at least) the ranked photos.
        public var images: [String: ImageRecord]
        /// Image items read to confirm candidates (0 on the item path).
        public var imagesRead: Int
    }

    /// The photos whose current faces are within `threshold` of a selfie, best first, at most `limit`.
    public func match(selfies: [[Float]], threshold: Double, limit: Int) async throws -> Matches {
        switch source {
        case .items(let contents):
            let faces = contents.faces.map { AlbumFace(key: $0.key, index: $0.index, box: $0.box, descriptor: $0.descriptor) }
            let ranked = SearchRanking.rank(faces: faces, selfies: selfies, threshold: threshold, limit: limit)
            return Matches(ranked: ranked, images: contents.images, imagesRead: 0)
        case .packed(let index, let newer):
            return try await matchPacked(index, newer: newer, selfies: selfies, threshold: threshold, limit: limit)
        }
    }

    /// A candidate face and the version of the photo it was found in.
    struct Candidate {
        var face: AlbumFace
        var version: String?
        var distance: Double
    }

    func matchPacked(
        _ index: PackedFaceIndex, newer: [FaceRecord], selfies: [[Float]], threshold: Double, limit: Int
    ) async throws -> Matches {
        func distance(_ face: AlbumFace) -> Double {
            selfies.map { SearchRanking.distance(face.descriptor, $0) }.min() ?? .infinity
        }
        struct FaceID: Hashable {
            var key: String
            var index: Int
            var version: String?
        }
        // A face in both (the job has written the index but not yet cleared the flag) counts once.
        var seen: Set<FaceID> = []
        var candidates: [Candidate] = []
        for record in newer where StorageLayout.album(ofKey: record.key) == album {
            guard seen.insert(FaceID(key: record.key, index: record.index, version: record.version)).inserted else { continue }
            let face = AlbumFace(key: record.key, index: record.index, box: record.box, descriptor: record.descriptor)
            candidates.append(Candidate(face: face, version: record.version, distance: distance(face)))
        }
        for i in index.faces(near: selfies, threshold: threshold) {
            let (face, version) = index.face(i)
            // The object is not trusted to name another album's photos.
            guard StorageLayout.album(ofKey: face.key) == album,
                seen.insert(FaceID(key: face.key, index: face.index, version: version)).inserted
            else { continue }
            candidates.append(Candidate(face: face, version: version, distance: distance(face)))
        }
        let sorted = candidates.filter { $0.distance <= threshold }.sorted { ($0.distance, $0.face.key) < ($1.distance, $1.face.key) }

        // Confirm photos best first, a batch of image items at a time, until `limit` photos hold.
        var images: [String: ImageRecord] = [:]
        var checked: Set<String> = []
        var confirmed: [AlbumFace] = []
        var photos: Set<String> = []
        for (position, candidate) in sorted.enumerated() where photos.count < limit {
            let key = candidate.face.key
            if !checked.contains(key) {
                var batch: [String] = []
                for later in sorted[position...] where !checked.contains(later.face.key) && !batch.contains(later.face.key) {
                    batch.append(later.face.key)
                    if batch.count == 32 { break }
                }
                let found = try await reader.images(keys: batch)
                for key in batch {
                    checked.insert(key)
                    if let image = found[key], image.status == .processed { images[key] = image }
                }
            }
            if let image = images[key], image.version == candidate.version {
                confirmed.append(candidate.face)
                photos.insert(key)
            }
        }
        let ranked = SearchRanking.rank(faces: confirmed, selfies: selfies, threshold: threshold, limit: limit)
        return Matches(ranked: ranked, images: images, imagesRead: checked.count)
    }

    /// True when the album has a processed photo (on the packed path, read page by page until one is).
    public func hasPhotos() async throws -> Bool {
        switch source {
        case .items(let contents):
            return !contents.images.isEmpty
        case .packed:
            var cursor: TableReader.ImageCursor?
            repeat {
                let page = try await reader.images(album: album, cursor: cursor)
                if page.images.contains(where: { $0.status == .processed }) { return true }
                cursor = page.cursor
            } while cursor != nil
            return false
        }
    }
}
