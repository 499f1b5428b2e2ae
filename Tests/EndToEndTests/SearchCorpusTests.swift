import Foundation
import TestSupport
import Testing

/// The acceptance check on the whole `../shared/testdata/faces` set (every person folder and
/// `none/`; `group/` is left out because its photos are not labelled per person): each person searched
/// with their first photo must find their other photos (recall >= 0.95) and little else (precision
/// >= 0.95, counted by folder label). Opt-in (`SEARCH_CORPUS=1`): processing ~120 photos takes minutes.
@Suite(
    "search: recall and precision over testdata/faces (SEARCH_CORPUS=1)", .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["SEARCH_CORPUS"] == "1", "opt-in: SEARCH_CORPUS=1"),
    .enabled(if: MotoServer.available, "needs moto[server]"),
    .enabled(if: Models.available, "needs the dlib models"),
    .enabled(if: FaceTestData.available, "needs ../shared/testdata/faces"))
struct SearchCorpusTests {
    @Test func recallAndPrecision() async throws {
        let pipeline = try await SearchPipelineTests()
        let folders = try FileManager.default.contentsOfDirectory(atPath: FaceTestData.directory.path).filter { name in
            var isDirectory: ObjCBool = false
            return name != "group" && FileManager.default.fileExists(atPath: FaceTestData.path(name), isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
        var people: [String: [String]] = [:]
        for folder in folders {
            people[folder] = try FileManager.default.contentsOfDirectory(atPath: FaceTestData.path(folder))
                .filter { $0.lowercased().hasSuffix(".jpg") || $0.lowercased().hasSuffix(".png") }.sorted().map { "\(folder)/\($0)" }
        }
        try await pipeline.processAlbum(people.values.flatMap { $0 })

        let searched = people.filter { $0.key != "none" && $0.value.count >= 2 }.sorted { $0.key < $1.key }
        let events = try searched.map { try pipeline.jsonSearch(["album": pipeline.album, "images": [try pipeline.selfie($0.value[0])]]) }
        let records = try pipeline.invoke(events, handler: "search")
        var truePositives = 0
        var relevant = 0
        var retrieved = 0
        for ((person, files), record) in zip(searched, records) {
            let (status, body) = try pipeline.answer(record)
            let selfieKey = pipeline.key(files[0])
            let others = Set(files.dropFirst().map(pipeline.key))
            relevant += others.count
            guard status == 200 else {
                print("corpus: \(person): selfie refused \(status) \(body)")
                continue
            }
            let found = Set(((body["matches"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }).subtracting([selfieKey])
            truePositives += found.intersection(others).count
            retrieved += found.count
            print(
                "corpus: \(person): \(found.intersection(others).count)/\(others.count) found, \(found.subtracting(others).count) others: \(found.subtracting(others).sorted())"
            )
        }
        let recall = Double(truePositives) / Double(max(1, relevant))
        let precision = Double(truePositives) / Double(max(1, retrieved))
        print("corpus: recall \(recall) (\(truePositives)/\(relevant)), precision \(precision) (\(truePositives)/\(retrieved))")
        #expect(recall >= 0.95)
        #expect(precision >= 0.95)
    }
}
