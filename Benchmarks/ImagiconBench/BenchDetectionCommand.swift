import ArgumentParser
import FaceKit
import Foundation
import ImageKit
import Imagicon

/// `imagicon-bench detection PATH...`: the two-pass search (``ProposalSearch``) against the whole-pyramid
/// run, both through the pipeline's detection step (a copy bounded to 4 MP), on every photo given (folders
/// are searched): recall and precision against the whole run, how much of the pyramid the network ran on,
/// and detection CPU time. Several thresholds and radii can be given; each combination is one row.
struct BenchDetectionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detection",
        abstract: "Recall, precision, coverage and CPU of the two-pass face search against the whole pyramid.")

    @Argument(help: "Photos or folders of photos (JPEG, PNG).") var paths: [String]
    @Option(help: "Folder with the dlib model files.") var models: String?
    @Option(help: "First pyramid level run whole (comma-separated list).") var firstLevel: String = "4"
    @Option(help: "Proposal thresholds (comma-separated list).") var threshold: String = "-1"
    @Option(help: "Proposal radii in pass-A cells (comma-separated list).") var radius: String = "2"
    @Option(help: "Learned-proposer thresholds (comma-separated list; 'none' for pass-A windows only, e.g. none,0.915).") var learned:
        String = "none"
    @Option(help: "Only whole-run faces at least this wide count for recall (pixels of the original).") var minFace: Int = 40
    @Option(help: "Network threads.") var threads: Int = 1

    struct Row: Codable {
        var search: ProposalSearch
        var wholeFaces: Int
        var found: Int
        var identical: Int
        var extra: Int
        var evaluatedFraction: Double
        var passBFraction: Double
        var wholeCPUSeconds: Double
        var searchCPUSeconds: Double
        var missed: [String]
    }

    func run() throws {
        FaceKitThreads.set(threads)
        let dir = Configuration.modelsDirectory(explicit: models, environment: ProcessInfo.processInfo.environment)
        func list(_ s: String) throws -> [Double] {
            try s.split(separator: ",").map { v in
                guard let d = Double(v) else { throw ValidationError("'\(v)' is not a number") }
                return d
            }
        }
        var searches: [ProposalSearch] = []
        for f in try list(firstLevel) {
            for t in try list(threshold) {
                for r in try list(radius) {
                    for l in try learned.split(separator: ",").map({ $0 == "none" ? nil : try list(String($0))[0] }) {
                        searches.append(ProposalSearch(firstWholeLevel: Int(f), proposalThreshold: t, radius: r, learnedThreshold: l))
                    }
                }
            }
        }
        let whole = try FaceModels(directory: dir)
        let files = try paths.flatMap { try Self.photos(under: $0) }
        var rows = searches.map {
            Row(
                search: $0, wholeFaces: 0, found: 0, identical: 0, extra: 0, evaluatedFraction: 0, passBFraction: 0, wholeCPUSeconds: 0,
                searchCPUSeconds: 0, missed: [])
        }
        var evaluated = [Double](repeating: 0, count: searches.count)
        var passB = [Double](repeating: 0, count: searches.count)
        var pyramid = 0.0
        var fine = [Double](repeating: 0, count: searches.count)
        for file in files {
            let image = try ImageDecoder.decode(
                Array(try Data(contentsOf: URL(fileURLWithPath: file))), options: DecodeOptions(applyOrientation: true)
            )
            .pixels
            let rgb = image.rgbImage
            var wholeCoverage = DetectionCoverage()
            let c0 = BenchFacesCommand.nanoseconds(CLOCK_PROCESS_CPUTIME_ID)
            let reference = try whole.detections(in: image, rgb: rgb, coverage: &wholeCoverage)
            let wholeCPU = Double(BenchFacesCommand.nanoseconds(CLOCK_PROCESS_CPUTIME_ID) - c0) / 1e9
            pyramid += Double(wholeCoverage.pyramidPixels)
            let counted = reference.filter { $0.rect.right - $0.rect.left + 1 >= minFace }
            for (i, search) in searches.enumerated() {
                let models = try FaceModels(directory: dir, search: search)
                var coverage = DetectionCoverage()
                let c1 = BenchFacesCommand.nanoseconds(CLOCK_PROCESS_CPUTIME_ID)
                let found = try models.detections(in: image, rgb: rgb, coverage: &coverage)
                let cpu = Double(BenchFacesCommand.nanoseconds(CLOCK_PROCESS_CPUTIME_ID) - c1) / 1e9
                let ref = counted.map { BenchProcessCommand.Detection(box: BenchProcessCommand.box($0.rect), confidence: $0.confidence) }
                let ours = found.map { BenchProcessCommand.Detection(box: BenchProcessCommand.box($0.rect), confidence: $0.confidence) }
                let all = reference.map { BenchProcessCommand.Detection(box: BenchProcessCommand.box($0.rect), confidence: $0.confidence) }
                let matched = BenchProcessCommand.matched(ref, by: ours)
                rows[i].wholeFaces += ref.count
                rows[i].found += matched
                rows[i].identical += counted.filter { face in found.contains { $0.rect == face.rect } }.count
                rows[i].extra += ours.count - BenchProcessCommand.matched(ours, by: all)
                rows[i].wholeCPUSeconds += wholeCPU
                rows[i].searchCPUSeconds += cpu
                evaluated[i] += Double(coverage.evaluatedPixels)
                passB[i] += Double(coverage.passBPixels)
                fine[i] += Double(coverage.fineLevelPixels)
                if matched < ref.count {
                    let missing = ref.filter { r in BenchProcessCommand.matched([r], by: ours) == 0 }.map {
                        "\($0.box) (\(String(format: "%.2f", $0.confidence)))"
                    }
                    rows[i].missed.append("\(file): \(missing.joined(separator: ", "))")
                }
            }
            FileHandle.standardError.write(Data("\(file): \(counted.count) faces, whole \(String(format: "%.2f", wholeCPU)) CPU-s\n".utf8))
        }
        for i in rows.indices {
            rows[i].evaluatedFraction = pyramid == 0 ? 0 : evaluated[i] / pyramid
            rows[i].passBFraction = fine[i] == 0 ? 0 : passB[i] / fine[i]
        }
        var text = "\ndetection: two-pass search vs the whole pyramid on \(files.count) photos (faces >= \(minFace) px)\n"
        for r in rows {
            text += String(
                format:
                    "  first %d, threshold %.2f, radius %.1f, learned %.2f: found %d/%d (identical boxes %d), extra %d, evaluated %.1f%% of the pyramid, pass B %.1f%% of the fine levels, CPU %.2f s vs whole %.2f s\n",
                r.search.firstWholeLevel, r.search.proposalThreshold, r.search.radius,
                r.search.learnedThreshold ?? .nan, r.found, r.wholeFaces, r.identical, r.extra,
                r.evaluatedFraction * 100, r.passBFraction * 100, r.searchCPUSeconds, r.wholeCPUSeconds)
            for m in r.missed { text += "    missed \(m)\n" }
        }
        FileHandle.standardError.write(Data(text.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        FileHandle.standardOutput.write(try encoder.encode(rows))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// `path` itself, or the JPEG and PNG files under it, sorted.
    static func photos(under path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("\(path) does not exist")
        }
        guard isDirectory.boolValue else { return [path] }
        let found = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
        return found.filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted().map {
            "\(path)/\($0)"
        }
    }
}
