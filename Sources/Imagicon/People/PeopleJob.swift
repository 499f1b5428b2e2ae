import LambdaRuntime
import People

/// The `people` job on one album: reads the album's current faces (``TableReader``), brings the
/// album's ``PeopleIndex`` up to date (new faces join people, faces of deleted or replaced photos
/// leave them; a full re-cluster when asked or when the index has drifted), commits the new state
/// (``PeopleStore``, conditional on the version it started from: on a conflict it starts over from
/// the winner's state), writes the album's packed face index (``FaceIndexStore``) and then the
/// person items and `personId`s.
public struct PeopleJob: Sendable {
    let reader: TableReader
    let store: PeopleStore
    let options: PeopleOptions

    /// A job over `reader`'s table and `store`.
    public init(reader: TableReader, store: PeopleStore, options: PeopleOptions = PeopleOptions()) {
        self.reader = reader
        self.store = store
        self.options = options
    }

    /// What one run did, for the log.
    public struct Outcome: Sendable, Equatable {
        public var album: String
        /// The committed state version.
        public var version: Int
        public var faces: Int
        public var people: Int
        public var unassigned: Int
        /// Whether the run regrouped everything.
        public var reclustered: Bool
        /// Commits lost to a concurrent writer before this one won.
        public var conflicts: Int
        /// Person items and face items written.
        public var personWrites: Int
        public var faceWrites: Int
    }

    /// Runs on `album`; `recluster` forces a full regrouping. Throws ``PeopleAlbumNotFound`` (and
    /// writes nothing) for an album with no processed photo and no people state.
    public func run(album: String, recluster: Bool = false) async throws -> Outcome {
        var conflicts = 0
        while conflicts < 8 {
            let base = try await store.load(album: album)
            // Strongly consistent: a face this read missed would lose its place in the packed index while
            // an earlier run has already taken it out of the unindexed-faces index.
            let contents = try await reader.album(album, consistent: true)
            guard base.version > 0 || !contents.images.isEmpty else { throw PeopleAlbumNotFound(album: album) }
            let records = Dictionary(contents.faces.map { (PeopleFaceID.of($0), $0) }, uniquingKeysWith: { a, _ in a })
            let faces = records.map { id, face in PeopleFace(id: id, descriptor: face.descriptor, size: face.box.shortSide) }
            var index = PeopleIndex(state: base.state, faces: faces, options: options)
            try index.add(faces)
            let regroup = recluster || index.hasDrifted()
            if regroup { try index.recluster() }
            var snapshot = base
            if index.state != base.state || base.version == 0 {
                guard let committed = try await store.commit(album: album, index.state, over: base, faces: faces.count) else {
                    conflicts += 1
                    continue
                }
                snapshot = committed
            }
            // The packed index first, then the projection takes the indexed faces out of the unindexed-faces
            // index: a face is always in the packed index, the unindexed-faces index, or both.
            let packed = try await store.faceIndex.write(
                album: album, faces: records.values.sorted { ($0.key, $0.index) < ($1.key, $1.index) }, stateVersion: snapshot.version)
            let written = try await store.project(
                album: album, snapshot, faces: records, existing: try await store.persons(album: album), packed: packed)
            return Outcome(
                album: album, version: snapshot.version, faces: faces.count, people: index.people.count,
                unassigned: index.unassigned.count, reclustered: regroup, conflicts: conflicts, personWrites: written.persons,
                faceWrites: written.faces)
        }
        throw PeopleBusy(album: album)
    }
}

/// The album a people run was asked for has no processed photo and no people: nothing to group.
/// `{"album"}` fails with it (a wrong name is told at once, and no empty state is stored for it); a
/// batch skips the album (``PeopleEvent/skipsMissingAlbums``).
public struct PeopleAlbumNotFound: Error, CustomStringConvertible, Sendable, Equatable, LambdaReportableError {
    /// The album asked for.
    public var album: String
    public var description: String { "album '\(album)' has no processed photos and no people: nothing to group" }
    public var lambdaErrorType: String { "PeopleAlbumNotFound" }
}
