/// An album's faces grouped into people, kept stable as faces arrive.
///
/// - ``add(_:)`` is the incremental step: new faces join the person they match (mean distance to
///   the person's faces below the cut), the rest are clustered with the faces still unassigned
///   and groups big enough become new people. Existing ids never change.
/// - ``recluster()`` regroups everything (after a burst of uploads, or on demand): anchors (named
///   or merged people) keep their faces and gain the groups that match them; other groups take
///   over the id of the old person they share most faces with, so hides survive.
/// - The owner's edits (``PeopleState/merge(_:into:)``, ``PeopleState/setName(_:of:)``,
///   ``PeopleState/setHidden(_:of:)``) work on the stored ``state``; faces of deleted photos are
///   forgotten when the state is restored over the faces that still exist (``init(state:faces:options:)``).
///
/// Everything is deterministic: faces are ordered by id before any grouping.
public struct PeopleIndex: Sendable, Codable, Equatable {
    /// How faces are grouped.
    public var options: PeopleOptions
    /// Every face, by id.
    public private(set) var faces: [String: PeopleFace] = [:]
    /// The people, by ascending id.
    public private(set) var people: [Person] = []
    /// Faces in no person, sorted.
    public private(set) var unassigned: [String] = []
    /// The id the next new person gets.
    public private(set) var nextID: Int = 1
    /// How many faces the last ``recluster()`` grouped (see ``hasDrifted(fraction:minimum:)``).
    public private(set) var reclusteredFaces: Int = 0

    public init(options: PeopleOptions = PeopleOptions()) {
        self.options = options
    }

    /// The person with this id, or the one it was merged into.
    public func person(_ id: Int) -> Person? {
        people.first { $0.id == id } ?? people.first { $0.mergedIDs.contains(id) }
    }

    /// Adds faces (ids already present are ignored, so a batch may be replayed) and assigns them:
    /// to the existing person they match, else into new people with the other unassigned faces.
    public mutating func add(_ newFaces: [PeopleFace]) throws {
        let fresh = Dictionary(newFaces.filter { faces[$0.id] == nil }.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        guard !fresh.isEmpty else { return }
        let dimension = faces.values.first?.descriptor.count ?? fresh.values.min { $0.id < $1.id }!.descriptor.count
        let candidates = try DescriptorMatrix(fresh.values.sorted { $0.id < $1.id }, dimension: dimension)
        faces.merge(fresh) { old, _ in old }
        let ordered = fresh.keys.sorted()
        // Each new face against the people as they were before this batch (order-independent).
        var joins: [Int: [String]] = [:]
        var pool = Set(unassigned)
        let peopleRows = try people.map { try DescriptorMatrix($0.faces.map { faces[$0]! }, dimension: dimension) }
        for (row, id) in ordered.enumerated() {
            if let best = nearestPerson(
                candidates, rows: [row], peopleRows: peopleRows, parts: people.map(\.parts), cut: options.cut(for: fresh[id]!))
            {
                joins[best, default: []].append(id)
            } else {
                pool.insert(id)
            }
        }
        for (slot, ids) in joins { people[slot].faces = (people[slot].faces + ids).sorted() }
        // The rest with the faces nobody took before: groups that match a person join it.
        var leftover: [String] = []
        let groups = try group(pool.sorted())
        let updatedRows = try people.map { try DescriptorMatrix($0.faces.map { faces[$0]! }, dimension: dimension) }
        var newPeople: [Person] = []
        for ids in groups {
            let matrix = try DescriptorMatrix(ids.map { faces[$0]! }, dimension: dimension)
            let cut = ids.count == 1 ? options.cut(for: faces[ids[0]]!) : options.threshold
            if let best = nearestPerson(matrix, rows: Array(0..<ids.count), peopleRows: updatedRows, parts: people.map(\.parts), cut: cut) {
                people[best].faces = (people[best].faces + ids).sorted()
            } else if ids.count >= options.minFaces {
                newPeople.append(Person(id: nextID, faces: ids))
                nextID += 1
            } else {
                leftover += ids
            }
        }
        people += newPeople
        unassigned = leftover.sorted()
    }

    /// Regroups every face from scratch and maps the new groups onto the old ids (see the type).
    public mutating func recluster() throws {
        guard let dimension = faces.values.first?.descriptor.count else { return }
        let anchors = people.indices.filter { people[$0].isAnchor }
        let anchored = Set(anchors.flatMap { people[$0].faces })
        let anchorRows = try anchors.map { try DescriptorMatrix(people[$0].faces.map { faces[$0]! }, dimension: dimension) }
        var anchorGains: [Int: [String]] = [:]
        var groups: [[String]] = []
        var leftover: [String] = []
        for ids in try group(faces.keys.filter { !anchored.contains($0) }.sorted()) {
            let matrix = try DescriptorMatrix(ids.map { faces[$0]! }, dimension: dimension)
            let cut = ids.count == 1 ? options.cut(for: faces[ids[0]]!) : options.threshold
            if let best = nearestPerson(
                matrix, rows: Array(0..<ids.count), peopleRows: anchorRows, parts: anchors.map { people[$0].parts }, cut: cut)
            {
                anchorGains[anchors[best], default: []] += ids
            } else if ids.count >= options.minFaces {
                groups.append(ids)
            } else {
                leftover += ids
            }
        }
        // Old unanchored people claim the new group they share most faces with (largest overlap
        // first, then the lower id, then the earlier group).
        let old = people.filter { !$0.isAnchor }
        var owner: [String: Int] = [:]
        for (slot, person) in old.enumerated() { for face in person.faces { owner[face] = slot } }
        var overlaps: [(count: Int, slot: Int, group: Int)] = []
        for (g, ids) in groups.enumerated() {
            var counts: [Int: Int] = [:]
            for id in ids { if let slot = owner[id] { counts[slot, default: 0] += 1 } }
            overlaps += counts.map { (count: $0.value, slot: $0.key, group: g) }
        }
        overlaps.sort { ($0.count, -old[$0.slot].id, -$0.group) > ($1.count, -old[$1.slot].id, -$1.group) }
        var claimed: [Int: Int] = [:] // group -> old slot
        var taken = Set<Int>()
        for o in overlaps where claimed[o.group] == nil && !taken.contains(o.slot) {
            claimed[o.group] = o.slot
            taken.insert(o.slot)
        }
        var result: [Person] = anchors.map { slot in
            var p = people[slot]
            p.faces = (p.faces + anchorGains[slot, default: []]).sorted()
            return p
        }
        for (g, ids) in groups.enumerated() {
            if let slot = claimed[g] {
                var p = old[slot]
                p.faces = ids
                result.append(p)
            } else {
                result.append(Person(id: nextID, faces: ids))
                nextID += 1
            }
        }
        people = result.sorted { $0.id < $1.id }
        unassigned = leftover.sorted()
        reclusteredFaces = faces.count
    }

    /// Sets every stored field (``init(state:faces:options:)``).
    mutating func restore(faces: [String: PeopleFace], people: [Person], unassigned: [String], nextID: Int, reclusteredFaces: Int) {
        self.faces = faces
        self.people = people
        self.unassigned = unassigned
        self.nextID = nextID
        self.reclusteredFaces = reclusteredFaces
    }

    /// Average-linkage groups of `ids` (sorted), small faces that sit too far from the rest of
    /// their group split off as single faces.
    private func group(_ ids: [String]) throws -> [[String]] {
        guard let first = ids.first else { return [] }
        let matrix = try DescriptorMatrix(ids.map { faces[$0]! }, dimension: faces[first]!.descriptor.count)
        var result: [[String]] = []
        for rows in AverageLinkage.cluster(matrix, cut: options.threshold) {
            guard rows.count > 1 else {
                result.append([ids[rows[0]]])
                continue
            }
            var kept: [Int] = []
            for r in rows {
                let cut = options.cut(for: faces[ids[r]]!)
                if cut < options.threshold {
                    let mean = rows.filter { $0 != r }.reduce(Float(0)) { $0 + matrix.distance(r, $1) } / Float(rows.count - 1)
                    if mean >= cut {
                        result.append([ids[r]])
                        continue
                    }
                }
                kept.append(r)
            }
            if !kept.isEmpty { result.append(kept.map { ids[$0] }) }
        }
        return result.sorted { $0[0] < $1[0] }
    }

    /// The person (index into `peopleRows`) with the lowest mean distance to `rows` of `matrix`,
    /// if that mean is below `cut`; ties go to the earlier person. A person the owner merged from
    /// `parts` groups is several looks of one face: each row is measured against its nearest
    /// `1/parts` of the person's faces, rounded down (the part it resembles), not against all of them.
    private func nearestPerson(_ matrix: DescriptorMatrix, rows: [Int], peopleRows: [DescriptorMatrix], parts: [Int], cut: Float) -> Int? {
        var best: Int?
        var bestMean = cut
        for (slot, person) in peopleRows.enumerated() where person.count > 0 {
            var sum: Float = 0
            let nearest = max(1, person.count / max(parts[slot], 1))
            for r in rows {
                if nearest >= person.count {
                    for j in 0..<person.count { sum += DescriptorMatrix.distance(matrix, r, person, j) }
                } else {
                    let distances = (0..<person.count).map { DescriptorMatrix.distance(matrix, r, person, $0) }.sorted()
                    sum += distances.prefix(nearest).reduce(0, +) * Float(person.count) / Float(nearest)
                }
            }
            let mean = sum / Float(rows.count * person.count)
            if mean < bestMean {
                best = slot
                bestMean = mean
            }
        }
        return best
    }
}
