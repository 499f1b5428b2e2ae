import Testing

@testable import People

@Suite struct PeopleIndexTests {
    /// Each person holds the faces of exactly one identity.
    func identities(_ index: PeopleIndex) -> [Int: Set<Int>] {
        Dictionary(uniqueKeysWithValues: index.people.map { ($0.id, Set($0.faces.map(SyntheticFaces.identity))) })
    }

    /// An owner's edit as the job and the API make it: on the stored state, then the index restored
    /// from it over the same faces.
    func edit(_ index: inout PeopleIndex, _ change: (inout PeopleState) throws -> Void) rethrows {
        var state = index.state
        try change(&state)
        index = PeopleIndex(state: state, faces: Array(index.faces.values), options: index.options)
    }

    @Test func groupsEachIdentityIntoOnePerson() throws {
        var gen = SyntheticFaces(seed: 1)
        let faces = gen.album(identities: 5, perIdentity: 8)
        var index = PeopleIndex()
        try index.add(faces)
        #expect(index.people.count == 5)
        #expect(index.people.map(\.id) == [1, 2, 3, 4, 5])
        for person in index.people { #expect(person.faces.count == 8 && Set(person.faces.map(SyntheticFaces.identity)).count == 1) }
        #expect(index.unassigned.isEmpty)
    }

    @Test func inputOrderDoesNotChangeTheGrouping() throws {
        var gen = SyntheticFaces(seed: 2)
        var faces = gen.album(identities: 6, perIdentity: 5)
        faces += (0..<4).map { PeopleFace(id: "x-\($0)", descriptor: gen.face(gen.centre())) }
        var a = PeopleIndex()
        try a.add(faces)
        for seed in 0..<3 {
            var order = SyntheticFaces(seed: UInt64(seed) + 100)
            var shuffled = faces
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(order.next() % UInt64(i + 1))) }
            var b = PeopleIndex()
            try b.add(shuffled)
            #expect(b == a)
        }
    }

    @Test func outliersStayUnassigned() throws {
        var gen = SyntheticFaces(seed: 3)
        var faces = gen.album(identities: 3, perIdentity: 6)
        let outliers = (0..<5).map { PeopleFace(id: "z-\($0)", descriptor: gen.face(gen.centre())) }
        faces += outliers
        var index = PeopleIndex()
        try index.add(faces)
        #expect(index.people.count == 3)
        #expect(index.unassigned == outliers.map(\.id))
        #expect(!index.people.flatMap(\.faces).contains { $0.hasPrefix("z") })
    }

    @Test func smallFacesMustMatchCloser() throws {
        var gen = SyntheticFaces(seed: 4)
        let centre = gen.centre()
        let members = (0..<6).map { PeopleFace(id: "a-\($0)", descriptor: gen.face(centre)) }
        // A face 0.46 from the centre: a mean distance to the members between the two cuts.
        let direction = gen.vector(sigma: 1)
        let norm = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let far = zip(centre, direction).map { $0 + 0.46 * $1 / norm }
        let mean = members.reduce(Float(0)) { $0 + SyntheticFaces.distance($1.descriptor, far) } / Float(members.count)
        let options = PeopleOptions()
        try #require(mean > options.smallFaceThreshold && mean < options.threshold)

        var normal = PeopleIndex()
        try normal.add(members + [PeopleFace(id: "b", descriptor: far, size: 120)])
        #expect(normal.people.count == 1 && normal.people[0].faces.contains("b"))
        #expect(normal.unassigned.isEmpty)

        var small = PeopleIndex()
        try small.add(members + [PeopleFace(id: "b", descriptor: far, size: 30)])
        #expect(small.people.count == 1 && !small.people[0].faces.contains("b"))
        #expect(small.unassigned == ["b"])

        // The same when the small face arrives later, on its own.
        var later = PeopleIndex()
        try later.add(members)
        try later.add([PeopleFace(id: "b", descriptor: far, size: 30)])
        #expect(later.unassigned == ["b"])
        try later.recluster()
        #expect(later.unassigned == ["b"])
    }

    @Test func newFacesJoinExistingPeopleWithoutRenumbering() throws {
        var gen = SyntheticFaces(seed: 5)
        let centres = (0..<4).map { _ in gen.centre() }
        var index = PeopleIndex()
        try index.add((0..<4).flatMap { i in (0..<5).map { PeopleFace(id: SyntheticFaces.id(i, $0), descriptor: gen.face(centres[i])) } })
        let before = identities(index)
        // More of identities 0 and 2, and a new identity 7 with three faces.
        var more = (5..<8).flatMap { n in [0, 2].map { PeopleFace(id: SyntheticFaces.id($0, n), descriptor: gen.face(centres[$0])) } }
        let c7 = gen.centre()
        more += (0..<3).map { PeopleFace(id: SyntheticFaces.id(7, $0), descriptor: gen.face(c7)) }
        try index.add(more)
        try index.add(more) // a replayed batch changes nothing
        #expect(index.people.count == 5)
        for (id, ids) in before { #expect(identities(index)[id] == ids) }
        #expect(index.people.first { $0.id == 5 }?.faces.count == 3)
        #expect(index.people.map(\.faces.count).reduce(0, +) == 29)
        #expect(index.nextID == 6)
    }

    /// The stability test: cluster 70%, name two people, add the other 30%, re-cluster.
    @Test func namesSurviveMoreFacesAndAReCluster() throws {
        var gen = SyntheticFaces(seed: 6)
        let album = gen.album(identities: 8, perIdentity: 10)
        var order = SyntheticFaces(seed: 60)
        var shuffled = album
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(order.next() % UInt64(i + 1))) }
        let first = Array(shuffled.prefix(56))
        let rest = Array(shuffled.dropFirst(56))

        var index = PeopleIndex()
        try index.add(first)
        #expect(index.people.count == 8)
        let alice = index.people[1]
        let bob = index.people[4]
        let hidden = index.people[6]
        try edit(&index) { state in
            try state.setName("Alice", of: alice.id)
            try state.setName("Bob", of: bob.id)
            try state.setHidden(true, of: hidden.id)
        }

        try index.add(rest)
        try index.recluster()
        #expect(index.people.count == 8)
        #expect(index.unassigned.isEmpty)
        for (old, name) in [(alice, "Alice"), (bob, "Bob")] {
            let now = try #require(index.person(old.id))
            #expect(now.name == name)
            #expect(Set(old.faces).isSubset(of: now.faces))
            let identity = SyntheticFaces.identity(of: old.faces[0])
            #expect(now.faces.count == 10 && now.faces.allSatisfy { SyntheticFaces.identity(of: $0) == identity })
            // No other person holds a face of a named person's identity.
            #expect(!index.people.contains { $0.id != old.id && $0.faces.contains { SyntheticFaces.identity(of: $0) == identity } })
        }
        // The hidden (unnamed) person kept its id and flag through the re-cluster, by overlap.
        let stillHidden = try #require(index.people.first { $0.id == hidden.id })
        #expect(stillHidden.hidden && Set(hidden.faces).isSubset(of: stillHidden.faces))
        #expect(index.people.filter(\.hidden).count == 1)
        #expect(Set(index.people.map(\.id)) == Set(1...8))
    }

    @Test func aHiddenPersonIsNotSplitByAReCluster() throws {
        // The owner hid a group that holds two identities' faces; a re-cluster would split it in two,
        // and the split-off part must not become a visible person.
        var gen = SyntheticFaces(seed: 9)
        let faces = gen.album(identities: 2, perIdentity: 8)
        let state = PeopleState(people: [Person(id: 1, faces: faces.map(\.id), hidden: true)], nextID: 2, reclusteredFaces: faces.count)
        var index = PeopleIndex(state: state, faces: faces)
        try index.recluster()
        #expect(index.people.count == 1)
        let hidden = try #require(index.person(1))
        #expect(hidden.hidden && Set(hidden.faces) == Set(faces.map(\.id)))
    }

    @Test func mergeSurvivesAReCluster() throws {
        var gen = SyntheticFaces(seed: 7)
        var index = PeopleIndex()
        try index.add(gen.album(identities: 3, perIdentity: 6))
        let (a, b) = (index.people[0].id, index.people[2].id)
        try edit(&index) { try $0.merge(b, into: a) }
        #expect(index.people.count == 2)
        #expect(index.person(b)?.id == a)
        #expect(index.person(a)?.faces.count == 12 && index.person(a)?.mergedIDs == [b])
        #expect(index.person(a)?.isAnchor == true)
        try index.recluster()
        #expect(index.people.count == 2)
        #expect(index.person(a)?.faces.count == 12)
        #expect(index.person(b)?.id == a)

        let before = index
        #expect(throws: PeopleError.mergeIntoSelf(a)) { try edit(&index) { try $0.merge(a, into: a) } }
        #expect(throws: PeopleError.unknownPerson(99)) { try edit(&index) { try $0.merge(99, into: a) } }
        #expect(throws: PeopleError.unknownPerson(b)) { try edit(&index) { try $0.merge(a, into: b) } }
        #expect(throws: PeopleError.unknownPerson(42)) { try edit(&index) { try $0.setName("x", of: 42) } }
        #expect(throws: PeopleError.unknownPerson(42)) { try edit(&index) { try $0.setHidden(true, of: 42) } }
        #expect(index == before)
    }

    /// Faces of deleted photos are gone from the faces the job reads: restoring the state over the
    /// faces left forgets them.
    @Test func removedFacesLeaveTheirPeople() throws {
        var gen = SyntheticFaces(seed: 10)
        var index = PeopleIndex()
        let outlier = PeopleFace(id: "z", descriptor: gen.face(gen.centre()))
        try index.add(gen.album(identities: 3, perIdentity: 4) + [outlier])
        let first = index.people[0]
        let second = index.people[1]
        let gone = Set(first.faces + [second.faces[0], "z", "unknown"])
        index = PeopleIndex(state: index.state, faces: index.faces.values.filter { !gone.contains($0.id) })
        #expect(index.people.map(\.id) == [second.id, index.people[1].id] && index.people.count == 2)
        #expect(index.person(first.id) == nil)
        #expect(index.person(second.id)?.faces == Array(second.faces.dropFirst()))
        #expect(index.unassigned.isEmpty && index.faces.count == 7)
        // The removed person's id is not given again.
        try index.add(gen.album(identities: 5, perIdentity: 3).filter { SyntheticFaces.identity(of: $0.id) == 4 })
        #expect(index.people.last?.id == 4 && index.person(first.id) == nil)
    }

    @Test func refusesDescriptorsOfTheWrongLength() throws {
        var gen = SyntheticFaces(seed: 8)
        var index = PeopleIndex()
        try index.add(gen.album(identities: 2, perIdentity: 3))
        let before = index
        #expect(throws: PeopleError.descriptorLength(faceID: "bad", expected: 128, got: 3)) {
            try index.add([PeopleFace(id: "bad", descriptor: [0, 1, 2])])
        }
        #expect(index == before)
        var empty = PeopleIndex()
        #expect(throws: PeopleError.descriptorLength(faceID: "e", expected: 0, got: 0)) {
            try empty.add([PeopleFace(id: "e", descriptor: [])])
        }
        #expect(empty == PeopleIndex())
    }

    @Test func tenThousandFaces() throws {
        var gen = SyntheticFaces(seed: 9)
        let faces = gen.album(identities: 500, perIdentity: 20)
        var index = PeopleIndex()
        try index.add(faces)
        #expect(index.people.count == 500)
        #expect(index.people.allSatisfy { $0.faces.count == 20 && Set($0.faces.map(SyntheticFaces.identity)).count == 1 })
    }
}
