import Foundation
import People
import TestSupport
import Testing

@testable import Imagicon

/// The `people` job and the people endpoints, in process against moto (signature checks on):
/// grouping, person items and `personId`s, the owner's edits surviving later runs, refusals, and
/// two writers at once.
@Suite(
    "people: job, records and API (in process, moto auth on)", .serialized,
    .enabled(if: MotoServer.available, "needs moto[server] (scripts/setup installs it)"))
final class PeopleApiTests {
    let f: ApiFixture
    init() async throws { f = try await ApiFixture() }

    /// A deterministic descriptor near person `p`'s (distance about 0.3 to the others of `p`,
    /// about 1.4 to anyone else's).
    static func descriptor(person p: Int, sample s: Int) -> [Float] {
        var state = UInt64(p * 7919 + 17)
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
        }
        let base = (0..<128).map { _ in next() }
        let norm = base.reduce(0) { $0 + $1 * $1 }.squareRoot()
        state = UInt64(p * 104_729 + s * 31 + 5)
        let noise = (0..<128).map { _ in next() }
        let noiseNorm = noise.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return zip(base, noise).map { $0 / norm + 0.2 * $1 / noiseNorm }
    }

    func get(_ path: String, _ token: String?, query: String = "") async throws -> (status: Int, json: [String: Any]) {
        let answer = try await f.call("GET", path, query: query, token: token)
        return (answer.status, answer.json)
    }

    func names(_ json: [String: Any]) -> [String] {
        ((json["people"] as? [[String: Any]]) ?? []).map { ($0["name"] as? String) ?? "-" }
    }

    @Test("the job groups an album; the API lists, renames, hides and merges; edits survive the next runs")
    func groupEditAndRegroup() async throws {
        let (album, owner) = try await f.store.createAlbum(name: "Party", now: Date())
        let view = try await f.store.createShare(albumID: album.id, scope: .view, now: Date(), expiresAt: Date().addingTimeInterval(3600))
            .token
        let a = { (s: Int) in Self.descriptor(person: 1, sample: s) }
        let b = { (s: Int) in Self.descriptor(person: 2, sample: s) }
        let c = { (s: Int) in Self.descriptor(person: 3, sample: s) }
        try await f.addPhoto(album: album.id, photoId: "a1.jpg", faces: [a(1)], version: "01")
        try await f.addPhoto(album: album.id, photoId: "a2.jpg", faces: [a(2)], version: "01")
        try await f.addPhoto(album: album.id, photoId: "ab.jpg", faces: [a(3), b(1)], version: "01")
        try await f.addPhoto(album: album.id, photoId: "b2.jpg", faces: [b(2)], version: "01")
        try await f.addPhoto(album: album.id, photoId: "c1.jpg", faces: [c(1)], version: "01")
        try await f.addPhoto(album: album.id, photoId: "c2.jpg", faces: [c(2)], version: "01")
        try await f.addPhoto(album: album.id, photoId: "lone.jpg", faces: [Self.descriptor(person: 9, sample: 1)], version: "01")
        let first = try await f.peopleJob.run(album: album.storageAlbum)
        #expect(first.faces == 8 && first.people == 3 && first.unassigned == 1 && first.version == 1)

        let base = "/api/albums/\(album.id)/people"
        var list = try await get(base, owner)
        #expect(list.status == 200)
        var people = list.json["people"] as? [[String: Any]] ?? []
        #expect(people.map { $0["photoCount"] as? Int } == [3, 2, 2])
        let ann = try #require(people.first?["id"] as? String)
        #expect(people[0]["faceCount"] as? Int == 3 && people[0]["hidden"] as? Bool == false)
        #expect(people[0].keys.contains("name") && people[0]["name"] is NSNull)
        let cover = try #require(people[0]["cover"] as? [String: Any])
        #expect(["a1.jpg", "a2.jpg", "ab.jpg"].contains(cover["photoId"] as? String ?? ""))
        #expect((cover["thumbnail"] as? String)?.contains("thumbnails/faces/") == true)
        let bob = try #require(people.first { ($0["photoCount"] as? Int) == 2 && $0["faceCount"] as? Int == 2 }?["id"] as? String)
        let carl = try #require(people.first { $0["id"] as? String != ann && $0["id"] as? String != bob }?["id"] as? String)

        // Every face item carries its person.
        let faces = try await TableReader(dynamo: f.dynamo, table: f.table).faces(album: album.storageAlbum)
        #expect(faces.filter { $0.key.hasSuffix("/a1.jpg") || $0.key.hasSuffix("/a2.jpg") }.allSatisfy { $0.personId == Int(ann) })
        #expect(faces.first { $0.key.hasSuffix("/lone.jpg") }?.personId == nil)

        // Rename (trimmed), refusals, hide.
        var edit = try await f.call("PATCH", "\(base)/\(ann)", token: owner, json: ["name": "  Ann  "])
        #expect(edit.status == 200 && (edit.json["person"] as? [String: Any])?["name"] as? String == "Ann")
        // One character carrying 100 kB of combining marks, and a control character, are refused too.
        let heavy = "a" + String(repeating: "\u{301}", count: 50_000)
        for bad: Any in ["", "   ", String(repeating: "x", count: 101), heavy, "Ann\u{1}", 7, ["x"]] {
            let refused = try await f.call("PATCH", "\(base)/\(ann)", token: owner, json: ["name": bad])
            #expect(refused.status == 400, "\(bad): \(refused.json)")
        }
        #expect(try await f.call("PATCH", "\(base)/\(ann)", token: owner, json: ["hidden": "yes"]).status == 400)
        #expect(try await f.call("PATCH", "\(base)/\(ann)", token: owner, json: [String: Any]()).status == 400)
        #expect(try await f.call("PATCH", "\(base)/999", token: owner, json: ["name": "Nobody"]).status == 404)
        #expect(try await f.call("PATCH", "\(base)/abc", token: owner, json: ["name": "Nobody"]).status == 404)
        #expect(try await f.call("PATCH", "\(base)/\(bob)", token: owner, json: ["name": "Bob"]).status == 200)
        edit = try await f.call("PATCH", "\(base)/\(carl)", token: owner, json: ["hidden": true])
        #expect(edit.status == 200 && (edit.json["person"] as? [String: Any])?["hidden"] as? Bool == true)
        #expect(names(try await get(base, owner).json) == ["Ann", "Bob"])
        #expect(Set(names(try await get(base, owner, query: "hidden=true").json)) == ["Ann", "Bob", "-"])
        #expect(try await get(base, view, query: "hidden=true").status == 403)
        #expect(try await get("\(base)/\(carl)", view).status == 404)
        #expect(try await get("\(base)/\(carl)", owner).status == 200)
        #expect(names(try await get(base, view).json) == ["Ann", "Bob"])

        // Photos of a person: the photos list's shape.
        let photos = try await get("\(base)/\(ann)/photos", view)
        #expect(photos.status == 200)
        #expect(
            Set((photos.json["photos"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }) == ["a1.jpg", "a2.jpg", "ab.jpg"])
        let paged = try await get("\(base)/\(ann)/photos", view, query: "limit=2")
        #expect((paged.json["photos"] as? [Any])?.count == 2 && paged.json["cursor"] is String)

        // Merge: refusals, then Bob into Ann.
        #expect(try await f.call("POST", "\(base)/\(ann)/merge", token: owner, json: ["into": ann]).status == 400)
        #expect(try await f.call("POST", "\(base)/\(ann)/merge", token: owner, json: ["into": "999"]).status == 404)
        #expect(try await f.call("POST", "\(base)/999/merge", token: owner, json: ["into": ann]).status == 404)
        #expect(try await f.call("POST", "\(base)/\(ann)/merge", token: owner, json: ["to": bob]).status == 400)
        let merge = try await f.call("POST", "\(base)/\(bob)/merge", token: owner, json: ["into": ann])
        let merged = try #require(merge.json["person"] as? [String: Any])
        #expect(merge.status == 200 && merged["id"] as? String == ann && merged["name"] as? String == "Ann")
        #expect(merged["faceCount"] as? Int == 5 && merged["photoCount"] as? Int == 4)
        #expect(try await get("\(base)/\(bob)", owner).json["person"].flatMap { ($0 as? [String: Any])?["id"] as? String } == ann)
        #expect(try await f.call("POST", "\(base)/\(bob)/merge", token: owner, json: ["into": ann]).status == 400)
        let afterMerge = try await TableReader(dynamo: f.dynamo, table: f.table).faces(album: album.storageAlbum)
        #expect(afterMerge.filter { $0.key.hasSuffix("/b2.jpg") }.allSatisfy { $0.personId == Int(ann) })

        // More photos, an incremental run and a full re-cluster: names, the hide and the merge stay.
        try await f.addPhoto(album: album.id, photoId: "a3.jpg", faces: [a(4)], version: "02")
        try await f.addPhoto(album: album.id, photoId: "b3.jpg", faces: [b(3)], version: "02")
        try await f.addPhoto(album: album.id, photoId: "c3.jpg", faces: [c(3)], version: "02")
        _ = try await f.peopleJob.run(album: album.storageAlbum)
        let again = try await f.peopleJob.run(album: album.storageAlbum, recluster: true)
        #expect(again.reclustered && again.people == 2)
        list = try await get(base, owner, query: "hidden=true")
        people = list.json["people"] as? [[String: Any]] ?? []
        #expect(people.count == 2)
        let annNow = try #require(people.first { $0["id"] as? String == ann })
        #expect(annNow["name"] as? String == "Ann" && annNow["faceCount"] as? Int == 7 && annNow["photoCount"] as? Int == 6)
        let carlNow = try #require(people.first { $0["id"] as? String == carl })
        #expect(carlNow["hidden"] as? Bool == true && carlNow["faceCount"] as? Int == 3)

        // A deleted photo leaves its person.
        try await f.dynamo.deleteItem(
            table: f.table,
            key: [
                "PK": .s(StorageLayout.partitionKey(album: album.storageAlbum)),
                "SK": .s(StorageLayout.imageSortKey(key: "\(album.storageAlbum)/a3.jpg")),
            ])
        _ = try await f.peopleJob.run(album: album.storageAlbum)
        let annLater = try await get("\(base)/\(ann)", owner).json["person"] as? [String: Any]
        #expect(annLater?["faceCount"] as? Int == 6)
    }

    @Test("an edit or merge that finds a person item missing writes the item the job would write")
    func editWithTheItemMissing() async throws {
        let (album, owner) = try await f.store.createAlbum(name: "Lag", now: Date())
        let a = { (s: Int) in Self.descriptor(person: 1, sample: s) }
        let b = { (s: Int) in Self.descriptor(person: 2, sample: s) }
        try await f.addPhoto(album: album.id, photoId: "a1.jpg", faces: [a(1)], version: "01")
        try await f.addPhoto(album: album.id, photoId: "a2.jpg", faces: [a(2)], version: "01")
        try await f.addPhoto(album: album.id, photoId: "ab.jpg", faces: [a(3), b(1)], version: "01")
        try await f.addPhoto(album: album.id, photoId: "b2.jpg", faces: [b(2)], version: "01")
        let storage = album.storageAlbum
        _ = try await f.peopleJob.run(album: storage)
        let written = try await f.peopleStore.persons(album: storage).sorted { $0.faceCount > $1.faceCount }
        try #require(written.count == 2)
        let (ann, bob) = (written[0], written[1])
        #expect(ann.faceCount == 3 && ann.cover?.thumbnail != nil && ann.centroid.count == 128)
        func dropItem(_ id: Int) async throws {
            try await f.dynamo.deleteItem(
                table: f.table, key: ["PK": .s(StorageLayout.partitionKey(album: storage)), "SK": .s(StorageLayout.personSortKey(id: id))])
        }
        let base = "/api/albums/\(album.id)/people"

        // A rename with Ann's item gone: counts, cover and centroid as the job wrote them.
        try await dropItem(ann.id)
        let edit = try await f.call("PATCH", "\(base)/\(ann.id)", token: owner, json: ["name": "Ann"])
        #expect(edit.status == 200, "\(edit.json)")
        let shown = try #require(edit.json["person"] as? [String: Any])
        #expect(shown["faceCount"] as? Int == 3 && shown["photoCount"] as? Int == 3 && shown["name"] as? String == "Ann")
        #expect(((shown["cover"] as? [String: Any])?["thumbnail"] as? String)?.contains("thumbnails/faces/") == true)
        var stored = try #require(try await f.peopleStore.person(album: storage, id: ann.id))
        var expected = ann
        expected.name = "Ann"
        expected.stateVersion = stored.stateVersion
        #expect(stored == expected)

        // A merge with both items gone: the merged person's item is derived the same way.
        try await dropItem(ann.id)
        try await dropItem(bob.id)
        let merge = try await f.call("POST", "\(base)/\(bob.id)/merge", token: owner, json: ["into": String(ann.id)])
        #expect(merge.status == 200, "\(merge.json)")
        let merged = try #require(merge.json["person"] as? [String: Any])
        #expect(merged["faceCount"] as? Int == 5 && merged["photoCount"] as? Int == 4 && merged["cover"] is [String: Any])
        stored = try #require(try await f.peopleStore.person(album: storage, id: ann.id))
        #expect(stored.faceCount == 5 && stored.mergedIDs == [bob.id] && stored.centroid.count == 128 && stored.cover != nil)
        #expect(try await f.peopleStore.person(album: storage, id: bob.id) == nil)
        // The next run finds nothing to rewrite: the derived items are what it writes.
        let run = try await f.peopleJob.run(album: storage)
        #expect(run.personWrites == 0 && run.faceWrites == 0, "\(run)")
    }

    @Test("a run on an album with no photos and no people is refused and writes nothing")
    func missingAlbum() async throws {
        await #expect(throws: PeopleAlbumNotFound(album: "albums/nope")) {
            try await self.f.peopleJob.run(album: "albums/nope")
        }
        #expect(try await f.peopleStore.load(album: "albums/nope").version == 0)
    }

    @Test("two runs and an owner's edit at once: one state wins each round, nothing is lost")
    func concurrentWriters() async throws {
        let (album, owner) = try await f.store.createAlbum(name: "Race", now: Date())
        for p in 1...3 {
            for s in 1...3 {
                try await f.addPhoto(
                    album: album.id, photoId: "p\(p)-\(s).jpg", faces: [Self.descriptor(person: p, sample: s)], version: "01")
            }
        }
        _ = try await f.peopleJob.run(album: album.storageAlbum)
        let first = try #require(try await f.peopleStore.load(album: album.storageAlbum).state.people.first?.id)
        try await f.addPhoto(album: album.id, photoId: "p1-4.jpg", faces: [Self.descriptor(person: 1, sample: 4)], version: "02")
        let (job, fixture, storage) = (f.peopleJob, f, album.storageAlbum)
        let path = "/api/albums/\(album.id)/people/\(first)"
        async let one = job.run(album: storage, recluster: true)
        async let two = job.run(album: storage)
        async let rename = fixture.call("PATCH", path, token: owner, json: ["name": "First"]).status
        let (r1, r2, status) = try await (one, two, rename)
        #expect(status == 200)
        #expect(r1.version >= 2 && r2.version >= 2) // each ran on top of the first state
        let snapshot = try await f.peopleStore.load(album: album.storageAlbum)
        #expect(snapshot.state.people.count == 3)
        #expect(snapshot.state.person(first)?.name == "First")
        #expect(snapshot.state.faceIDs.count == 10)
        // One more run settles the projection on the last state.
        _ = try await f.peopleJob.run(album: album.storageAlbum)
        let persons = try await f.peopleStore.persons(album: album.storageAlbum)
        #expect(persons.count == 3 && persons.first { $0.id == first }?.name == "First")
        #expect(persons.map(\.faceCount).sorted() == [3, 3, 4])
    }

    @Test("events: DynamoDB Streams batches name their albums; direct invocations; anything else is refused")
    func events() throws {
        let stream = #"""
            {"Records":[{"eventSource":"aws:dynamodb","eventName":"INSERT","dynamodb":{"Keys":{"PK":{"S":"ALBUM#albums/x"},"SK":{"S":"FACE#albums/x/a.jpg#0"}}}},
            {"eventSource":"aws:dynamodb","eventName":"REMOVE","dynamodb":{"Keys":{"PK":{"S":"ALBUM#albums/y"},"SK":{"S":"FACE#albums/y/b.jpg#0"}}}},
            {"eventSource":"aws:dynamodb","eventName":"INSERT","dynamodb":{"Keys":{"PK":{"S":"ALBUM#albums/x"},"SK":{"S":"FACE#albums/x/c.jpg#1"}}}}]}
            """#
        #expect(
            try PeopleEvent.decode(Array(stream.utf8))
                == PeopleEvent(albums: ["albums/x", "albums/y"], recluster: false, skipsMissingAlbums: true))
        #expect(try PeopleEvent.decode(Array(#"{"album":"a","recluster":true}"#.utf8)) == PeopleEvent(albums: ["a"], recluster: true))
        #expect(
            try PeopleEvent.decode(Array(#"{"albums":["b","a","b"]}"#.utf8))
                == PeopleEvent(albums: ["a", "b"], recluster: false, skipsMissingAlbums: true))
        for bad in [#"{}"#, #"{"album":3}"#, #"{"album":"a","recluster":"yes"}"#, #"{"Records":[{"eventSource":"aws:sqs"}]}"#, "nope"] {
            #expect(throws: (any Error).self, "\(bad)") { try PeopleEvent.decode(Array(bad.utf8)) }
        }
    }
}
