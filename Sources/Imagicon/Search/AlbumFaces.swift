/// An album's current faces as find me and `search` rank them, read the cheapest correct way:
///
/// - With a packed index (``FaceIndexStore``): that one object plus the faces not in it yet (the
///   sparse unindexed-faces index: every face `process` writes is there until the people job has
///   put it in a committed index). Both only name candidate photos: the index may be older than the
///   album (faces of photos deleted or replaced since are still in it) and holds float16 values. The
///   best candidates' image items and candidate face items are read (a face counts only with its
///   processed image's version, the rule ``TableReader/AlbumContents`` applies) and ranked on their
///   float32 descriptors, so the answer is the item path's, read for a few photos instead of the
///   whole partition.
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
            // The unindexed faces first, the index second: the job clears a face's flag only after an index
            // holding it is committed, and the pointer is read strongly consistently, so a face is in the
            // index read or in the faces read before it (the other order could miss a face whose flag a run
            // cleared in between, with its new index committed after the old one was read).
            let newer: [FaceRecord]?
            do {
                newer = try await reader.unindexedFaces(album: album)
            } catch {
                // A table made before the index existed (an old local stack): the items are still right.
                newer = nil
                refused = "the unindexed-faces index cannot be read: \(error)"
            }
            if let newer {
                switch try await faceIndex.load(album: album) {
                case .index(let index, let bytes):
                    return AlbumFaces(source: .packed(index, newer: newer), indexBytes: bytes, album: album, reader: reader)
                case .refused(let reason): refused = reason
                case .none: break
                }
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
        /// Candidate photos whose image and face items were read (0 on the item path).
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

    /// A candidate photo: a lower bound of its best distance, and the faces that may give it (with
    /// the face item when the unindexed-faces index returned it).
    struct Candidate {
        var lowerBound = Double.infinity
        var faces: [Int: FaceRecord?] = [:]
    }

    func matchPacked(
        _ index: PackedFaceIndex, newer: [FaceRecord], selfies: [[Float]], threshold: Double, limit: Int
    ) async throws -> Matches {
        func distance(_ descriptor: [Float]) -> Double {
            selfies.map { SearchRanking.distance(descriptor, $0) }.min() ?? .infinity
        }
        // Candidates: faces not in the index within the threshold (exact), and faces of the index within
        // the threshold plus its float16 error bound (so no face within it in float32 is missed).
        var candidates: [String: Candidate] = [:]
        for record in newer where StorageLayout.album(ofKey: record.key) == album {
            let d = distance(record.descriptor)
            guard d <= threshold else { continue }
            candidates[record.key, default: Candidate()].lowerBound = min(candidates[record.key]?.lowerBound ?? .infinity, d)
            candidates[record.key]?.faces[record.index] = record
        }
        let margin = index.errorBound
        for i in index.faces(near: selfies, threshold: threshold + margin) {
            let face = index.face(i).face
            // The object is not trusted to name another album's photos.
            guard StorageLayout.album(ofKey: face.key) == album else { continue }
            let bound = max(0, distance(face.descriptor) - margin)
            candidates[face.key, default: Candidate()].lowerBound = min(candidates[face.key]?.lowerBound ?? .infinity, bound)
            if candidates[face.key]?.faces[face.index] == nil { candidates[face.key]?.faces[face.index] = .some(nil) }
        }
        let order = candidates.sorted { ($0.value.lowerBound, $0.key) < ($1.value.lowerBound, $1.key) }

        // Best candidate first, read each photo's image item and the face items of its candidate faces
        // (photos deleted or replaced since the index was written drop out here: a face counts only with
        // its processed image's version) and rank their float32 descriptors, until `limit` photos hold
        // and no candidate left can come before the last of them.
        var images: [String: ImageRecord] = [:]
        var faces: [AlbumFace] = []
        var read = 0
        var ranked: [RankedMatch] = []
        while read < order.count {
            if ranked.count >= limit, let last = ranked.last, order[read].value.lowerBound > last.distance { break }
            let batch = Array(order[read..<min(read + 16, order.count)])
            try await withThrowingTaskGroup(of: (ImageRecord, [FaceRecord])?.self) { group in
                for (key, candidate) in batch {
                    group.addTask {
                        guard let image = try await reader.image(key: key), image.status == .processed else { return nil }
                        var current: [FaceRecord] = []
                        for (faceIndex, known) in candidate.faces {
                            // Only a face item read with the index (a GSI face) can stand in for the current one;
                            // a face known from the object alone is always read (its version may equal a nil one).
                            let record: FaceRecord?
                            if let known, known.version == image.version {
                                record = known
                            } else {
                                record = try await reader.face(key: key, index: faceIndex)
                            }
                            if let record, image.isCurrent(record) { current.append(record) }
                        }
                        return (image, current)
                    }
                }
                for try await photo in group {
                    guard let (image, current) = photo else { continue }
                    images[image.key] = image
                    faces += current.map { AlbumFace(key: $0.key, index: $0.index, box: $0.box, descriptor: $0.descriptor) }
                }
            }
            read += batch.count
            ranked = SearchRanking.rank(faces: faces, selfies: selfies, threshold: threshold, limit: limit)
        }
        return Matches(ranked: ranked, images: images, imagesRead: read)
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
