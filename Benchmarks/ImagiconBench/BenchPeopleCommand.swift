import ArgumentParser
import FaceKit
import Foundation
import Imagicon
import People

/// `imagicon-bench people DIR`: how well faces are grouped into people, ours against dlib's
/// chinese whispers (a port, see ``ChineseWhispers``) on the same descriptors, plus clustering
/// time on a large synthetic album.
///
/// Every face of every photo under DIR is clustered; the largest face of a photo in a folder is
/// labelled with the folder name, except in `group/` and `none/` (clustered, not scored).
/// Unassigned faces count as groups of one. Descriptors are cached in `--cache` (keyed by the
/// files' names and sizes), so later runs skip the face pipeline.
struct BenchPeopleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "people", abstract: "Grouping quality (pairwise and BCubed) against dlib's chinese whispers, and clustering time.")

    @Argument(help: "Folder of labelled photos (one folder per person; group/ and none/ unlabelled).") var path: String
    @Option(help: "Our average-linkage cut (default: the People module's).") var threshold: Float?
    @Option(help: "Chinese whispers' edge threshold.") var dlibThreshold: Float = 0.6
    @Option(help: "Descriptor cache.") var cache: String = ".bench/people-faces.json"
    @Option(help: "Faces in the synthetic timing album (0 skips it).") var synthetic: Int = 10000
    @Option(help: "Folder with the dlib model files.") var models: String?

    struct CachedFace: Codable {
        var file: String
        var index: Int
        var size: Int
        var descriptor: [Float]
    }

    struct Cache: Codable {
        var files: [String: Int]
        var faces: [CachedFace]
    }

    /// Pairwise and BCubed figures over the labelled faces.
    struct Quality: Encodable {
        var groups: Int
        var unassigned: Int
        var pairwisePrecision: Double
        var pairwiseRecall: Double
        var pairwiseF1: Double
        var bcubedPrecision: Double
        var bcubedRecall: Double
        var bcubedF1: Double
        var groupsMixingTwoLabelledPeople: Int
        var clusterMs: Double
    }

    struct Report: Encodable {
        var photos: Int
        var faces: Int
        var labelledFaces: Int
        var labels: Int
        var ours: Quality
        var oursOptions: PeopleOptions
        var chineseWhispers: Quality
        var chineseWhispersNote: String
        var sweep: [String: Quality]
        var synthetic: Synthetic?
        var meetsIssueBar: Bool
    }

    struct Synthetic: Encodable {
        var faces: Int
        var identities: Int
        var clusterMs: Double
        var addTenPercentMs: Double
        var reclusterMs: Double
        var people: Int
    }

    func run() throws {
        let files = try imageFiles()
        let faces = try descriptors(files)
        // Label: the largest face of each photo outside group/ and none/.
        var labels: [Int: String] = [:]
        for file in Set(faces.map(\.file)) {
            let folder = String(file.split(separator: "/").first ?? "")
            guard folder != "group", folder != "none", file.contains("/") else { continue }
            if let largest = faces.indices.filter({ faces[$0].file == file }).max(by: { faces[$0].size < faces[$1].size }) {
                labels[largest] = folder
            }
        }
        var options = PeopleOptions()
        if let threshold { options.threshold = threshold }
        let ours = try Self.quality(of: Self.ours(faces, options), labels: labels)
        var cwLabels: [Int] = []
        let cwTime = BenchFacesCommand.measure { cwLabels = ChineseWhispers.cluster(faces.map(\.descriptor), threshold: dlibThreshold) }
        var cw = Self.score(cwLabels, labels: labels)
        cw.clusterMs = cwTime.wallMs
        var sweep: [String: Quality] = [:]
        for t: Float in [0.45, 0.5, 0.525, 0.55, 0.575, 0.6, 0.625, 0.65] {
            var o = options
            o.threshold = t
            sweep[String(format: "%.3f", t)] = try Self.quality(of: Self.ours(faces, o), labels: labels)
        }
        let meets =
            ours.bcubedF1 >= 0.98 && ours.groupsMixingTwoLabelledPeople == 0 && ours.bcubedF1 >= cw.bcubedF1
            && ours.bcubedPrecision >= cw.bcubedPrecision && ours.bcubedRecall >= cw.bcubedRecall
            && ours.pairwisePrecision >= cw.pairwisePrecision && ours.pairwiseRecall >= cw.pairwiseRecall
            && ours.groupsMixingTwoLabelledPeople <= cw.groupsMixingTwoLabelledPeople
        let report = Report(
            photos: files.count, faces: faces.count, labelledFaces: labels.count, labels: Set(labels.values).count,
            ours: ours, oursOptions: options, chineseWhispers: cw,
            chineseWhispersNote:
                "a Swift port of dlib's chinese_whispers_clustering at \(dlibThreshold) (same edges, mt19937 picks and tie rule); dlib's Python binding is not built in CI",
            sweep: sweep, synthetic: synthetic > 0 ? try Self.syntheticTiming(faces: synthetic, options: options) : nil,
            meetsIssueBar: meets)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        FileHandle.standardOutput.write(try encoder.encode(report))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// Our grouping as one label per face (unassigned faces get labels of their own), and its time.
    static func ours(_ faces: [CachedFace], _ options: PeopleOptions) throws -> ([Int], Double) {
        let people = faces.enumerated().map { i, f in PeopleFace(id: String(format: "%06d", i), descriptor: f.descriptor, size: f.size) }
        var index = PeopleIndex(options: options)
        let time = try BenchFacesCommand.measure { try index.add(people) }
        var result = [Int](repeating: -1, count: faces.count)
        for person in index.people { for id in person.faces { result[Int(id)!] = person.id } }
        return (result, time.wallMs)
    }

    static func quality(of grouping: ([Int], Double), labels: [Int: String]) throws -> Quality {
        var q = score(grouping.0, labels: labels)
        q.clusterMs = grouping.1
        return q
    }

    /// Scores a grouping (label -1: a group of its own) on the labelled faces.
    static func score(_ grouping: [Int], labels: [Int: String]) -> Quality {
        let groups = Set(grouping.filter { $0 >= 0 })
        let unassigned = grouping.filter { $0 < 0 }.count
        let items = labels.keys.sorted()
        func cluster(_ i: Int) -> Int { grouping[i] >= 0 ? grouping[i] : -1 - i }
        var tp = 0
        var samePredicted = 0
        var sameLabel = 0
        for (a, i) in items.enumerated() {
            for j in items[(a + 1)...] {
                let c = cluster(i) == cluster(j)
                let l = labels[i] == labels[j]
                if c { samePredicted += 1 }
                if l { sameLabel += 1 }
                if c && l { tp += 1 }
            }
        }
        var bp = 0.0
        var br = 0.0
        for i in items {
            let inCluster = items.filter { cluster($0) == cluster(i) }
            let both = inCluster.filter { labels[$0] == labels[i] }.count
            bp += Double(both) / Double(inCluster.count)
            br += Double(both) / Double(items.filter { labels[$0] == labels[i] }.count)
        }
        bp /= Double(items.count)
        br /= Double(items.count)
        var labelsInGroup: [Int: Set<String>] = [:]
        for i in items { labelsInGroup[cluster(i), default: []].insert(labels[i]!) }
        let p = samePredicted == 0 ? 1 : Double(tp) / Double(samePredicted)
        let r = sameLabel == 0 ? 1 : Double(tp) / Double(sameLabel)
        return Quality(
            groups: groups.count, unassigned: unassigned, pairwisePrecision: p, pairwiseRecall: r,
            pairwiseF1: p + r == 0 ? 0 : 2 * p * r / (p + r), bcubedPrecision: bp, bcubedRecall: br,
            bcubedF1: bp + br == 0 ? 0 : 2 * bp * br / (bp + br),
            groupsMixingTwoLabelledPeople: labelsInGroup.values.filter { $0.count > 1 }.count, clusterMs: 0)
    }

    /// Image files under `path`, relative to it, sorted.
    func imageFiles() throws -> [String] {
        var files: [String] = []
        let e = FileManager.default.enumerator(atPath: path)
        while let f = e?.nextObject() as? String {
            let l = f.lowercased()
            if l.hasSuffix(".jpg") || l.hasSuffix(".jpeg") || l.hasSuffix(".png") { files.append(f) }
        }
        guard !files.isEmpty else { throw ValidationError("no JPEG or PNG files under \(path)") }
        return files.sorted()
    }

    /// Every face's descriptor, from the cache when it was made from the same files.
    func descriptors(_ files: [String]) throws -> [CachedFace] {
        var sizes: [String: Int] = [:]
        for f in files { sizes[f] = (try? FileManager.default.attributesOfItem(atPath: path + "/" + f)[.size] as? Int) ?? -1 }
        if let data = FileManager.default.contents(atPath: cache), let cached = try? JSONDecoder().decode(Cache.self, from: data),
            cached.files == sizes
        {
            return cached.faces
        }
        let dir = Configuration.modelsDirectory(explicit: models, environment: ProcessInfo.processInfo.environment)
        let faceModels = try FaceModels(directory: dir)
        var faces: [CachedFace] = []
        for file in files {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path + "/" + file)))
            let found = try faceModels.faces(inEncoded: bytes, maxPixels: 100_000_000)
            for (i, f) in found.enumerated() {
                faces.append(
                    CachedFace(
                        file: file, index: i, size: min(f.box.right - f.box.left, f.box.bottom - f.box.top) + 1, descriptor: f.descriptor))
            }
            FileHandle.standardError.write(Data("\(file): \(found.count) faces\n".utf8))
        }
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: cache).deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONEncoder().encode(Cache(files: sizes, faces: faces)).write(to: URL(fileURLWithPath: cache))
        return faces
    }

    /// Clustering time on `faces` synthetic descriptors (identities of 20 faces: centres ~1.2
    /// apart, faces ~0.35 from each other), then 10% more added and a full re-cluster.
    static func syntheticTiming(faces count: Int, options: PeopleOptions) throws -> Synthetic {
        var state: UInt64 = 42
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        func gaussian(_ sigma: Float) -> Float {
            Float((-2 * log(max(next(), 1e-12))).squareRoot() * cos(2 * .pi * next())) * sigma
        }
        let identities = max(1, count / 20)
        let centres = (0..<identities).map { _ in (0..<128).map { _ in gaussian(0.075) } }
        func face(_ n: Int) -> PeopleFace {
            PeopleFace(id: String(format: "%08d", n), descriptor: centres[n % identities].map { $0 + gaussian(0.022) })
        }
        let all = (0..<(count + count / 10)).map(face)
        var index = PeopleIndex(options: options)
        let first = try BenchFacesCommand.measure { try index.add(Array(all.prefix(count))) }
        let more = try BenchFacesCommand.measure { try index.add(Array(all.dropFirst(count))) }
        let again = try BenchFacesCommand.measure { try index.recluster() }
        return Synthetic(
            faces: count, identities: identities, clusterMs: first.wallMs, addTenPercentMs: more.wallMs, reclusterMs: again.wallMs,
            people: index.people.count)
    }
}
