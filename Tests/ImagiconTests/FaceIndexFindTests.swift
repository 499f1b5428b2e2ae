import DynamoDB
import FaceKit
import Foundation
import TestSupport
import Testing

@testable import Imagicon

/// Find me through the album's packed face index (written by the `people` job) against find me
/// through the face items, in process against moto (signature checks on): the same photos, the
/// faces newer than the index included, deleted and replaced photos never returned, a corrupt or
/// missing index falling back to the items.
@Suite(
    "find me: packed face index vs face items (in process, moto auth on)", .serialized,
    .enabled(if: MotoServer.available, "needs moto[server] (scripts/setup installs it)"))
final class FaceIndexFindTests {
    let f: ApiFixture
    init() async throws { f = try await ApiFixture() }

    var reader: TableReader { TableReader(dynamo: f.dynamo, table: f.table) }
    var faceIndex: FaceIndexStore { f.peopleStore.faceIndex }

    /// The selfie's descriptor moved `distance` away along a direction fixed by `seed`.
    static func near(_ distance: Float, seed: Int) -> [Float] {
        var state = UInt64(seed * 7919 + 3)
        let direction = (0..<128).map { _ -> Float in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
        }
        let norm = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return zip(ApiFixture.faceDescriptor, direction).map { $0 + distance * $1 / norm }
    }

    /// An album of `photos` (at most 60) photos: every third has a face near the selfie (0.15...0.5,
    /// 0.006 apart, so float16's 1e-4 cannot reorder them; none near the 0.6 threshold), every fifth
    /// two faces, the rest faces far away.
    func makeAlbum(photos: Int) async throws -> (album: Album, owner: String) {
        let (album, owner) = try await f.store.createAlbum(name: "Wedding", now: Date())
        for p in 0..<photos {
            var faces = [p % 3 == 0 ? Self.near(0.15 + Float(p) * 0.006, seed: p) : Self.near(1.2, seed: p)]
            if p % 5 == 0 { faces.append(Self.near(0.9 + Float(p % 4) * 0.1, seed: 1000 + p)) }
            try await f.addPhoto(album: album.id, photoId: "p\(p).jpg", faces: faces, version: "01")
        }
        return (album, owner)
    }

    func find(_ album: Album, _ token: String) async throws -> [(id: String, distance: Double)] {
        let answer = try await f.call(
            "POST", "/api/albums/\(album.id)/find", token: token, body: ApiFixture.selfie, contentType: "image/jpeg")
        #expect(answer.status == 200, "\(answer.json)")
        return (answer.json["matches"] as? [[String: Any]] ?? []).map { ($0["photoId"] as? String ?? "", $0["distance"] as? Double ?? -1) }
    }

    /// Matches through the items (no index read) and through whatever `AlbumFaces` reads now.
    func bothWays(_ album: Album) async throws -> (items: AlbumFaces.Matches, current: AlbumFaces.Matches, faces: AlbumFaces) {
        let selfies = [ApiFixture.faceDescriptor]
        let items = try await AlbumFaces.load(album: album.storageAlbum, reader: reader, faceIndex: nil)
            .match(selfies: selfies, threshold: 0.6, limit: 200)
        let faces = try await AlbumFaces.load(album: album.storageAlbum, reader: reader, faceIndex: faceIndex)
        return (items, try await faces.match(selfies: selfies, threshold: 0.6, limit: 200), faces)
    }

    static func same(_ a: AlbumFaces.Matches, _ b: AlbumFaces.Matches) -> Bool {
        a.ranked.map(\.key) == b.ranked.map(\.key) && a.ranked.map(\.box) == b.ranked.map(\.box)
            && zip(a.ranked, b.ranked).allSatisfy { abs($0.distance - $1.distance) < 1e-3 }
    }

    var isPacked: (AlbumFaces) -> Bool {
        { if case .packed = $0.source { true } else { false } }
    }

    @Test("no index yet: the items; after the job: the index alone, same photos, distances within 1e-3")
    func indexMatchesItems() async throws {
        let (album, owner) = try await makeAlbum(photos: 60)
        // Faces 1e-4 either side of the threshold, where float16's rounding alone could decide.
        try await f.addPhoto(album: album.id, photoId: "inside.jpg", faces: [Self.near(0.5999, seed: 500)], version: "01")
        try await f.addPhoto(album: album.id, photoId: "outside.jpg", faces: [Self.near(0.6001, seed: 501)], version: "01")
        let before = try await bothWays(album)
        #expect(!isPacked(before.faces) && before.faces.refused == nil)
        #expect(before.current.ranked.count == 21 && before.current.ranked.last?.key.hasSuffix("/inside.jpg") == true)
        let foundBefore = try await find(album, owner)

        let run = try await f.peopleJob.run(album: album.storageAlbum)
        let pointer = try #require(try await faceIndex.pointer(album: album.storageAlbum))
        #expect(pointer.version == run.version && pointer.faces == 74)
        // Every face is in the index, so none is left in the unindexed-faces index.
        #expect(try await reader.unindexedFaces(album: album.storageAlbum).isEmpty)

        let after = try await bothWays(album)
        #expect(isPacked(after.faces) && after.faces.indexBytes == pointer.bytes && after.faces.itemCount == 0)
        #expect(Self.same(after.items, after.current))
        #expect(after.current.ranked.map(\.key) == before.current.ranked.map(\.key))
        let foundAfter = try await find(album, owner)
        #expect(foundAfter.map(\.id) == foundBefore.map(\.id) && foundAfter.count == 21)
        #expect(zip(foundAfter, foundBefore).allSatisfy { abs($0.distance - $1.distance) < 1e-3 })
        // A small limit confirms only a few photos, still the best ones.
        let top = try await after.faces.match(selfies: [ApiFixture.faceDescriptor], threshold: 0.6, limit: 3)
        #expect(top.ranked.map(\.key) == Array(after.items.ranked.prefix(3)).map(\.key) && top.imagesRead <= 32)
    }

    @Test("photos without a version (events without a sequencer) are found through the index too")
    func unversionedPhotos() async throws {
        let (album, _) = try await f.store.createAlbum(name: "Unversioned", now: Date())
        for p in 0..<6 {
            try await f.addPhoto(album: album.id, photoId: "u\(p).jpg", faces: [Self.near(p % 2 == 0 ? 0.2 : 1.2, seed: p)], version: nil)
        }
        let before = try await bothWays(album)
        #expect(!isPacked(before.faces) && before.current.ranked.count == 3)
        _ = try await f.peopleJob.run(album: album.storageAlbum)
        let after = try await bothWays(album)
        #expect(isPacked(after.faces) && after.faces.itemCount == 0)
        #expect(Self.same(after.items, after.current) && after.current.ranked.count == 3)
    }

    @Test("uploads newer than the index are found; deleted and replaced photos never are")
    func newerDeletedReplaced() async throws {
        let (album, owner) = try await makeAlbum(photos: 30)
        _ = try await f.peopleJob.run(album: album.storageAlbum)
        let firstIndex = try #require(try await faceIndex.pointer(album: album.storageAlbum))

        // Newer than the index: two photos near the selfie.
        try await f.addPhoto(album: album.id, photoId: "new1.jpg", faces: [Self.near(0.1, seed: 77)], version: "02")
        try await f.addPhoto(
            album: album.id, photoId: "new2.jpg", faces: [Self.near(1.3, seed: 78), Self.near(0.25, seed: 79)], version: "02")
        // p0 (a match in the index) deleted as `process` deletes: image and face items gone.
        let pk = StorageLayout.partitionKey(album: album.storageAlbum)
        let p0 = "\(album.storageAlbum)/p0.jpg"
        try await f.dynamo.deleteItem(table: f.table, key: ["PK": .s(pk), "SK": .s(StorageLayout.imageSortKey(key: p0))])
        try await f.dynamo.deleteItem(table: f.table, key: ["PK": .s(pk), "SK": .s(StorageLayout.faceSortKey(key: p0, index: 0))])
        // p3 (a match) half-deleted: the image item gone, its face item left behind.
        let p3 = "\(album.storageAlbum)/p3.jpg"
        try await f.dynamo.deleteItem(table: f.table, key: ["PK": .s(pk), "SK": .s(StorageLayout.imageSortKey(key: p3))])
        // p6 (a match) replaced by a photo of someone else; p1 (no match) replaced by one of the selfie's person.
        try await f.addPhoto(album: album.id, photoId: "p6.jpg", faces: [Self.near(1.4, seed: 80)], version: "03")
        try await f.addPhoto(album: album.id, photoId: "p1.jpg", faces: [Self.near(0.3, seed: 81)], version: "03")
        // p9 (a match) now failed on a re-upload.
        let p9 = "\(album.storageAlbum)/p9.jpg"
        let failed: DynamoDBItem = [
            "PK": .s(pk), "SK": .s(StorageLayout.imageSortKey(key: p9)), "key": .s(p9), "bucket": .s(f.uploads), "status": .s("failed"),
            "version": .s("04"),
        ]
        try await f.dynamo.putItem(table: f.table, item: failed)

        let now = try await bothWays(album)
        #expect(isPacked(now.faces) && now.faces.itemCount == 5)
        #expect(Self.same(now.items, now.current))
        let ids = Set(try await find(album, owner).map(\.id))
        #expect(ids.isSuperset(of: ["new1.jpg", "new2.jpg", "p1.jpg"]))
        #expect(ids.isDisjoint(with: ["p0.jpg", "p3.jpg", "p6.jpg", "p9.jpg"]))
        #expect(ids.count == 10 - 4 + 3)

        // The next run puts them in a new index and sweeps the old object.
        _ = try await f.peopleJob.run(album: album.storageAlbum)
        let second = try #require(try await faceIndex.pointer(album: album.storageAlbum))
        #expect(second.version > firstIndex.version && second.key != firstIndex.key)
        #expect(try await reader.unindexedFaces(album: album.storageAlbum).isEmpty)
        await #expect(throws: (any Error).self) { try await self.f.s3.getObject(bucket: self.f.thumbs, key: firstIndex.key) }
        let later = try await bothWays(album)
        #expect(isPacked(later.faces) && Self.same(later.items, later.current))
        #expect(Set(try await find(album, owner).map(\.id)) == ids)
    }

    @Test("a corrupt, truncated, foreign or missing index object falls back to the items")
    func corruptIndexFallsBack() async throws {
        let (album, owner) = try await makeAlbum(photos: 15)
        let expected = try await find(album, owner)
        _ = try await f.peopleJob.run(album: album.storageAlbum)
        let pointer = try #require(try await faceIndex.pointer(album: album.storageAlbum))
        let good = try await f.s3.getObject(bucket: f.thumbs, key: pointer.key).body
        var flipped = good
        flipped[40] ^= 1
        var newerFormat = good
        newerFormat[4] = 9
        let bad: [(String, [UInt8]?)] = [
            ("flipped", flipped), ("truncated", Array(good.prefix(good.count / 2))), ("empty", []),
            ("another format version", PackedFaceIndexTests.resealed(newerFormat)), ("JSON", Array("{\"faces\":[]}".utf8)),
            ("missing", nil),
        ]
        for (name, body) in bad {
            if let body {
                try await f.s3.putObject(bucket: f.thumbs, key: pointer.key, body: body, contentType: "application/octet-stream")
            } else {
                try await f.s3.deleteObject(bucket: f.thumbs, key: pointer.key)
            }
            let faces = try await AlbumFaces.load(album: album.storageAlbum, reader: reader, faceIndex: faceIndex)
            #expect(!isPacked(faces) && faces.refused != nil, "\(name)")
            let found = try await find(album, owner)
            #expect(found.map(\.id) == expected.map(\.id) && !found.isEmpty, "\(name)")
        }
        // Put back, the index is read again.
        try await f.s3.putObject(bucket: f.thumbs, key: pointer.key, body: good, contentType: "application/octet-stream")
        #expect(isPacked(try await AlbumFaces.load(album: album.storageAlbum, reader: reader, faceIndex: faceIndex)))
    }

    @Test("another album's photos named in an index are never read or returned")
    func foreignKeys() async throws {
        let (album, owner) = try await makeAlbum(photos: 6)
        let (other, _) = try await f.store.createAlbum(name: "Other", now: Date())
        try await f.addPhoto(album: other.id, photoId: "secret.jpg", faces: [Self.near(0.05, seed: 5)], version: "01")
        _ = try await f.peopleJob.run(album: album.storageAlbum)
        let pointer = try #require(try await faceIndex.pointer(album: album.storageAlbum))
        // An index object that names the other album's photo (as a tampered or misplaced object would).
        let secret = FaceRecord(
            album: other.storageAlbum, key: "\(other.storageAlbum)/secret.jpg", index: 0,
            box: FaceRect(left: 1, top: 1, right: 20, bottom: 20),
            confidence: 1, landmarks: [], descriptor: Self.near(0.05, seed: 5), version: "01")
        let forged = try PackedFaceIndex(faces: [secret], stateVersion: pointer.version).encoded()
        try await f.s3.putObject(bucket: f.thumbs, key: pointer.key, body: forged, contentType: "application/octet-stream")
        let faces = try await AlbumFaces.load(album: album.storageAlbum, reader: reader, faceIndex: faceIndex)
        #expect(isPacked(faces))
        let found = try await faces.match(selfies: [ApiFixture.faceDescriptor], threshold: 0.6, limit: 200)
        #expect(found.ranked.isEmpty && found.imagesRead == 0)
        #expect(try await find(album, owner).isEmpty)
    }
}
