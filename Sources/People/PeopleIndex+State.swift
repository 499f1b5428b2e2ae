/// What a ``PeopleIndex`` keeps besides the descriptors: the people, the unassigned faces and the
/// next id. Stored between runs (the descriptors are stored with the faces already, so they are
/// not copied here) and restored with ``PeopleIndex/init(state:faces:)``.
public struct PeopleState: Sendable, Codable, Equatable {
    /// The people, by ascending id.
    public var people: [Person]
    /// Faces in no person, sorted.
    public var unassigned: [String]
    /// The id the next new person gets.
    public var nextID: Int
    /// Faces the last full re-cluster saw (drift is measured against it).
    public var reclusteredFaces: Int

    public init(people: [Person] = [], unassigned: [String] = [], nextID: Int = 1, reclusteredFaces: Int = 0) {
        self.people = people
        self.unassigned = unassigned
        self.nextID = nextID
        self.reclusteredFaces = reclusteredFaces
    }

    /// The person with this id, or the one it was merged into.
    public func person(_ id: Int) -> Person? {
        people.first { $0.id == id } ?? people.first { $0.mergedIDs.contains(id) }
    }

    /// Every face id the state names.
    public var faceIDs: Set<String> {
        Set(people.flatMap(\.faces)).union(unassigned)
    }
}

extension PeopleIndex {
    /// The state to store (no descriptors).
    public var state: PeopleState {
        PeopleState(people: people, unassigned: unassigned, nextID: nextID, reclusteredFaces: reclusteredFaces)
    }

    /// Restores a stored state over the faces that still exist: a face the state names but `faces`
    /// lacks is forgotten (its photo was deleted or replaced), a person left without faces is
    /// removed. Faces in `faces` the state does not name are ignored: give them to ``add(_:)``.
    public init(state: PeopleState, faces: [PeopleFace], options: PeopleOptions = PeopleOptions()) {
        self.init(options: options)
        let named = state.faceIDs
        var known: [String: PeopleFace] = [:]
        for face in faces where named.contains(face.id) { known[face.id] = known[face.id] ?? face }
        restore(
            faces: known,
            people: state.people.map { person in
                var p = person
                p.faces = person.faces.filter { known[$0] != nil }
                return p
            }.filter { !$0.faces.isEmpty },
            unassigned: state.unassigned.filter { known[$0] != nil }, nextID: state.nextID,
            reclusteredFaces: state.reclusteredFaces)
    }

    /// True when enough faces arrived since the last full re-cluster (`fraction` of the faces then,
    /// and at least `minimum`) that incremental joins may have drifted from what a re-cluster gives.
    public func hasDrifted(fraction: Double = 0.25, minimum: Int = 20) -> Bool {
        let grown = faces.count - reclusteredFaces
        return grown >= minimum && Double(grown) >= fraction * Double(max(reclusteredFaces, 1))
    }
}

extension PeopleState {
    /// Moves every face of `id` into `target` and removes `id` (which then resolves to `target`
    /// through ``person(_:)``). `target` keeps its name, or takes the merged one's. The owner's
    /// edits work on the state alone, so they need no descriptors.
    public mutating func merge(_ id: Int, into target: Int) throws {
        guard id != target else { throw PeopleError.mergeIntoSelf(id) }
        guard let from = people.firstIndex(where: { $0.id == id }) else { throw PeopleError.unknownPerson(id) }
        guard let into = people.firstIndex(where: { $0.id == target }) else { throw PeopleError.unknownPerson(target) }
        let merged = people[from]
        people[into].faces = (people[into].faces + merged.faces).sorted()
        people[into].mergedIDs = (people[into].mergedIDs + [merged.id] + merged.mergedIDs).sorted()
        if people[into].name == nil { people[into].name = merged.name }
        people.remove(at: from)
    }

    /// Names a person (`nil` clears the name; a named person is an anchor).
    public mutating func setName(_ name: String?, of id: Int) throws {
        guard let slot = people.firstIndex(where: { $0.id == id }) else { throw PeopleError.unknownPerson(id) }
        people[slot].name = name
    }

    /// Hides or shows a person.
    public mutating func setHidden(_ hidden: Bool, of id: Int) throws {
        guard let slot = people.firstIndex(where: { $0.id == id }) else { throw PeopleError.unknownPerson(id) }
        people[slot].hidden = hidden
    }
}
