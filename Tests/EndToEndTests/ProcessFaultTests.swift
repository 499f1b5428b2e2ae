import AWSCore
import DynamoDB
import Foundation
import S3
import TestSupport
import Testing

/// Fault injection against the real bootstrap and moto (auth on): the process killed with SIGKILL at
/// each stage (`IMAGICON_FAULT_KILL_AT`, honoured only with `IMAGICON_DIAGNOSTICS=1`), events out of
/// order, deletes racing creates. After the retry or the next event the stored state must be what one
/// clean run of the newest event gives: its image item, exactly its faces, its thumbnails, only its
/// own upload record left and no thumbnail of another version.
@Suite(
    "process: fault injection (kills at every stage, out-of-order events, PUT/DELETE races)", .serialized,
    .enabled(if: MotoServer.available, "needs moto[server] (scripts/setup installs it)"),
    .enabled(if: Models.available, "needs the dlib models in models/ (scripts/fetch-models)"))
final class ProcessFaultTests {
    let pipeline: ProcessPipelineTests

    init() async throws { pipeline = try await ProcessPipelineTests() }

    static let twoFaces = ProcessPipelineTests.sample.appendingPathComponent("two_people.jpg").path
    static let oneFace = ProcessPipelineTests.sample.appendingPathComponent("obama1.jpg").path

    /// Runs events through one `imagicon invoke`; returns each invocation's status.
    func run(_ events: [String], killAt stage: String? = nil) throws -> [String] {
        var extra = ["IMAGICON_DIAGNOSTICS=1"]
        if let stage { extra.append("IMAGICON_FAULT_KILL_AT=\(stage)") }
        let result = try Binaries.runImagicon(
            ["invoke"] + events + ["--bootstrap", Binaries.bootstrap, "--timeout", "300"] + pipeline.environment
                + extra.flatMap { ["--env", $0] })
        let invocations = try #require(try result.json()["invocations"] as? [[String: Any]], "\(result.stderr.suffix(2000))")
        return invocations.map { $0["status"] as? String ?? "" }
    }

    func event(_ name: String, _ key: String, _ sequencer: String, size: Int = 1) throws -> String {
        try pipeline.s3Event(name, key: key, size: size, sequencer: sequencer)
    }

    /// Items of `key` other than its image and face items (upload records, tombstones).
    func bookkeeping(_ key: String) async throws -> [String] {
        let album = String(key[..<key.lastIndex(of: "/")!])
        let items = try await pipeline.dynamo.queryAll(
            DynamoDBQuery(
                table: pipeline.table, keyCondition: "PK = :pk",
                attributes: .init(values: [":pk": .s("ALBUM#\(album)")]), consistentRead: true))
        return items.filter { $0["key"]?.stringValue == key }.compactMap { $0["SK"]?.stringValue }
            .filter { !$0.hasPrefix("IMAGE#") && !$0.hasPrefix("FACE#") }
    }

    func exists(_ thumbnail: String) async -> Bool {
        (try? await pipeline.s3.headObject(bucket: pipeline.thumbs, key: thumbnail)) != nil
    }

    /// The state one clean run of `sequencer` gives: asserted, with `gone` thumbnails absent.
    func expectConverged(_ key: String, sequencer: String, faces: Int, gone: [String], _ note: String) async throws {
        let item = try #require(try await pipeline.imageItem(key), "\(note): no image item")
        let tag = String(sequencer.reversed().drop { $0 == "0" }.reversed())
        #expect(item["status"]?.stringValue == "processed", "\(note)")
        #expect(item["sequencer"]?.stringValue == sequencer, "\(note)")
        #expect(item["faceCount"]?.numberString == String(faces), "\(note)")
        let version = item["version"]?.stringValue
        let stored = try await pipeline.faceItems(key)
        #expect(stored.count == faces && stored.allSatisfy { $0["version"]?.stringValue == version }, "\(note): \(stored.count) faces")
        let thumbnails = try await pipeline.thumbnailKeys(key)
        #expect(thumbnails == ["thumbnails/200x200/\(key)/\(tag).jpg", "thumbnails/64x64c/\(key)/\(tag).jpg"], "\(note)")
        for thumbnail in thumbnails { #expect(await exists(thumbnail), "\(note): \(thumbnail) missing") }
        for thumbnail in gone { #expect(!(await exists(thumbnail)), "\(note): \(thumbnail) orphaned") }
        // Only the upload record of the kept version (it lists the live thumbnails for the next sweep).
        let left = try await bookkeeping(key)
        #expect(left.count == 1 && left.allSatisfy { $0.hasPrefix("UPLOADS#") && $0.hasSuffix("#\(tag)") }, "\(note): \(left)")
    }

    @Test(arguments: ["record", "upload", "faces", "image", "sweep"])
    func killedAtEachStageThenRetriedThenReplaced(stage: String) async throws {
        let key = "kill-\(stage)/photo.jpg"
        _ = try await pipeline.upload(Self.twoFaces, as: key)
        let v1 = try event("ObjectCreated:Put", key, "0062E99A88DC407460")
        #expect(try run([v1], killAt: stage) == ["crash"], "\(stage)")
        // Lambda's retry of the same event converges.
        #expect(try run([v1]) == ["success"])
        try await expectConverged(key, sequencer: "0062E99A88DC407460", faces: 2, gone: [], "retry after a kill at \(stage)")

        // Killed again at the same stage, this time the next event is a new upload: v1's work is swept.
        _ = try await pipeline.upload(Self.twoFaces, as: key)
        let v2 = try event("ObjectCreated:Put", key, "0062E99A88DC407470")
        #expect(try run([v2], killAt: stage) == ["crash"])
        _ = try await pipeline.upload(Self.oneFace, as: key)
        let v3 = try event("ObjectCreated:Put", key, "0062E99A88DC407480")
        #expect(try run([v3]) == ["success"])
        let older = ["0062E99A88DC40746", "0062E99A88DC40747"].flatMap {
            ["thumbnails/200x200/\(key)/\($0).jpg", "thumbnails/64x64c/\(key)/\($0).jpg"]
        }
        try await expectConverged(key, sequencer: "0062E99A88DC407480", faces: 1, gone: older, "a new upload after a kill at \(stage)")
    }

    @Test func outOfOrderCreatesKeepTheNewest() async throws {
        let key = "order/photo.jpg"
        _ = try await pipeline.upload(Self.oneFace, as: key)
        // v2 is delivered (and finishes) first; v1, older, arrives late and must change nothing.
        let v2 = try event("ObjectCreated:Put", key, "0062E99A88DC407470")
        let v1 = try event("ObjectCreated:Put", key, "0062E99A88DC407460")
        #expect(try run([v2, v1]) == ["success", "success"])
        try await expectConverged(key, sequencer: "0062E99A88DC407470", faces: 1, gone: [], "v2 then v1")
        // A shorter sequencer that is newer under AWS's rule (right padding) wins; left padding would say older.
        let v3 = try event("ObjectCreated:Put", key, "62E99A88DC407461")
        #expect(try run([v3]) == ["success"])
        try await expectConverged(
            key, sequencer: "62E99A88DC407461", faces: 1,
            gone: ["thumbnails/200x200/\(key)/0062E99A88DC40747.jpg", "thumbnails/64x64c/\(key)/0062E99A88DC40747.jpg"], "v3")
    }

    @Test func deletesAreNeverResurrected() async throws {
        let key = "race/photo.jpg"
        _ = try await pipeline.upload(Self.twoFaces, as: key)
        let create = try event("ObjectCreated:Put", key, "0062E99A88DC407460")
        let delete = try event("ObjectRemoved:Delete", key, "0062E99A88DC407470")
        // The delete is processed first (the object is still readable: the create read it before it went).
        #expect(try run([delete, create]) == ["success", "success"])
        #expect(try await pipeline.imageItem(key) == nil)
        #expect(try await pipeline.faceItems(key).isEmpty)
        #expect(!(await exists("thumbnails/200x200/\(key)/0062E99A88DC40746.jpg")))
        #expect(try await bookkeeping(key).map { $0.prefix(8) } == ["DELETED#"], "only the tombstone")

        // Create, then a delete killed after its tombstone, then the late create again, then the delete's retry.
        let key2 = "race/second.jpg"
        _ = try await pipeline.upload(Self.twoFaces, as: key2)
        let create2 = try event("ObjectCreated:Put", key2, "0062E99A88DC407460")
        let delete2 = try event("ObjectRemoved:Delete", key2, "0062E99A88DC407470")
        #expect(try run([create2]) == ["success"])
        #expect(try run([delete2], killAt: "tombstone") == ["crash"])
        #expect(try run([create2, delete2]) == ["success", "success"])
        #expect(try await pipeline.imageItem(key2) == nil)
        #expect(try await pipeline.faceItems(key2).isEmpty)
        #expect(!(await exists("thumbnails/200x200/\(key2)/0062E99A88DC40746.jpg")))
        #expect(!(await exists("thumbnails/64x64c/\(key2)/0062E99A88DC40746.jpg")))

        // A newer upload after the delete is a new photo: it is processed.
        let recreate = try event("ObjectCreated:Put", key2, "0062E99A88DC407480")
        #expect(try run([recreate]) == ["success"])
        #expect(try await pipeline.imageItem(key2)?["status"]?.stringValue == "processed")
    }
}
