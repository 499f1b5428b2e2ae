import ArgumentParser
import FaceKit
import Foundation
import ImageKit
import Imagicon

/// `imagicon-bench process PHOTO...`: the `process` pipeline (decode, EXIF, faces, thumbnails,
/// encode; no S3) on each photo, in a fresh child process per run pinned to one CPU and to two:
/// CPU seconds (user+sys), wall, peak RSS and per-stage times; detection recall against today's
/// pipeline and against dlib's detector at upsample 1 on the full image; and the Lambda cost per
/// 1,000 photos at each memory size (``LambdaCost``). Prints a table on stderr, JSON on stdout.
struct BenchProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Time the process pipeline per stage at 1 and 2 threads, with recall and Lambda cost per 1,000 photos.")

    @Argument(help: "Photos (JPEG, PNG, WebP, HEIC).") var photos: [String]
    @Option(help: "Runs per photo and thread count; medians are reported.") var runs: Int = 3
    @Option(help: "Folder with the dlib model files.") var models: String?
    @Option(help: "Folder caching the upsample-1 reference detections (slow to make).") var referenceCache: String =
        ".bench/process-reference"
    @Flag(help: "Make the upsample-1 reference with dlib's Python binding (scripts/setup-dlib) instead of FaceKit's port of it.")
    var dlib = false
    @Option(help: "An earlier report of this command (e.g. from main) whose detections are 'today's pipeline' for recall.")
    var compareTo: String?
    @Option(help: "Face search: whole (the detector on the whole pyramid), two-pass or learned (IMAGICON_FACE_SEARCH).")
    var faceSearch: String = "whole"
    @Option(help: .hidden) var childOutput: String?

    /// What one child run reports.
    struct ChildResult: Codable {
        var width: Int
        var height: Int
        var cpuSeconds: Double
        var wallSeconds: Double
        var stagesMs: [String: Double]
        var faces: [Detection]
    }

    /// A detection as the report stores it.
    struct Detection: Codable {
        var box: [Int]
        var confidence: Double
        var width: Int { box[2] - box[0] + 1 }
    }

    /// Medians over the runs at one thread count.
    struct ThreadRuns: Codable {
        var threads: Int
        var cpuSeconds: Double
        var wallSeconds: Double
        /// Peak RSS of the whole child (models loaded, one photo processed).
        var peakRSSMB: Double
        var stagesMs: [String: Double]
        var cpuSecondsRange: [Double]
        var wallSecondsRange: [Double]
    }

    /// Detection quality of the pipeline against one reference.
    struct Recall: Codable {
        var reference: String
        /// Reference faces counted (for dlib: those at least 40 px wide in the original).
        var referenceFaces: Int
        var found: Int
        var recall: Double?
        /// The same measure for today's pipeline, for comparison (dlib reference only).
        var todayFound: Int?
        /// Our detections with no reference face at IoU >= 0.5 (any size).
        var unmatched: Int
    }

    struct PhotoReport: Codable {
        var file: String
        var width: Int
        var height: Int
        var runs: [ThreadRuns]
        /// What this build detected (each run finds the same).
        var faces: [Detection]
        var recall: [Recall]
        var cost: [LambdaCost.Row]
    }

    struct Report: Codable {
        var blasKernel: String
        var faceSearch: String?
        var runsPerThreadCount: Int
        var iouThreshold: Double
        var minReferenceFacePixels: Int
        var photos: [PhotoReport]
    }

    static let iouThreshold = 0.5
    /// Above this many pixels the reference's upsample-0 pass runs on a half-size copy.
    static let halfSizeAbove = 16_000_000
    static let minFace = 40

    func validate() throws {
        guard !photos.isEmpty, runs >= 1 else { throw ValidationError("give at least one photo and --runs >= 1") }
        guard Configuration.faceSearch(named: faceSearch) != nil else {
            throw ValidationError("--face-search is \(Configuration.faceSearchNames)")
        }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let dir = Configuration.modelsDirectory(explicit: models, environment: environment)
        if let childOutput {
            try runChild(photo: photos[0], models: dir, output: childOutput)
            return
        }
        if dlib, BenchThumbnailsCommand.run(["python3", "-c", "import dlib, numpy"]).status != 0 {
            throw ValidationError("--dlib needs dlib's Python binding and numpy: run scripts/setup-dlib")
        }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("imagicon-bench-process-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let faceModels = try FaceModels(directory: dir)
        let baseline = try compareTo.map { try JSONDecoder().decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: $0))) }

        var reports: [PhotoReport] = []
        for photo in photos {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: photo)))
            let reference = try referenceDetections(photo: photo, bytes: bytes, models: faceModels, dir: dir, work: work)
            let refFaces = reference.faces.filter { $0.width >= Self.minFace }
            var results: [Int: [(ChildResult, Double)]] = [:]
            for run in 0..<runs {
                // Thread counts interleaved, so load on the shared machine hits both alike.
                for threads in [1, 2] {
                    let out = work.appendingPathComponent("child.json").path
                    let argv = [
                        "taskset", "-c", threads == 1 ? "0" : "0,1", exe, "process", photo, "--models", dir, "--face-search", faceSearch,
                        "--child-output", out,
                    ]
                    let r = BenchThumbnailsCommand.run(argv)
                    guard r.status == 0, let data = FileManager.default.contents(atPath: out) else {
                        throw ValidationError("the child run on \(photo) failed (exit status \(r.status))")
                    }
                    let result = try JSONDecoder().decode(ChildResult.self, from: data)
                    results[threads, default: []].append((result, Double(r.maxRSSKB) / 1024))
                    FileHandle.standardError.write(
                        Data("\(photo): run \(run + 1), \(threads) thread(s): \(String(format: "%.2f", result.cpuSeconds)) CPU-s\n".utf8))
                }
            }
            let one = Self.summarize(threads: 1, results[1]!)
            let two = Self.summarize(threads: 2, results[2]!)
            let sample = results[1]![0].0
            let ours = sample.faces
            var recall: [Recall] = []
            let name = URL(fileURLWithPath: photo).lastPathComponent
            // The same photo: same name and size (a remade photo under an old name is not compared).
            let today = baseline?.photos.first {
                URL(fileURLWithPath: $0.file).lastPathComponent == name && $0.width == sample.width && $0.height == sample.height
            }?.faces
            if let today {
                recall.append(
                    Recall(
                        reference: "today's pipeline (\(compareTo ?? ""))", referenceFaces: today.count,
                        found: Self.matched(today, by: ours),
                        recall: Self.ratio(Self.matched(today, by: ours), today.count),
                        unmatched: ours.count - Self.matched(ours, by: today)))
            }
            recall.append(
                Recall(
                    reference: reference.source, referenceFaces: refFaces.count, found: Self.matched(refFaces, by: ours),
                    recall: Self.ratio(Self.matched(refFaces, by: ours), refFaces.count),
                    todayFound: today.map { Self.matched(refFaces, by: $0) },
                    unmatched: ours.count - Self.matched(ours, by: reference.faces)))
            let measured = LambdaCost.Measured(cpu1: one.cpuSeconds, wall1: one.wallSeconds, cpu2: two.cpuSeconds, wall2: two.wallSeconds)
            reports.append(
                PhotoReport(
                    file: photo, width: sample.width, height: sample.height, runs: [one, two], faces: ours, recall: recall,
                    cost: LambdaCost.rows(measured)))
        }
        let report = Report(
            blasKernel: FaceKitThreads.kernel, faceSearch: faceSearch, runsPerThreadCount: runs, iouThreshold: Self.iouThreshold,
            minReferenceFacePixels: Self.minFace, photos: reports)
        FileHandle.standardError.write(Data(Self.table(report).utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        FileHandle.standardOutput.write(try encoder.encode(report))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// The analyzer `process` uses, with the configuration's defaults (thumbnail sizes, pixel cap).
    static func analyzer(models: FaceModels) throws -> ImageAnalyzer {
        let configuration = try Configuration(environment: ProcessInfo.processInfo.environment)
        return ImageAnalyzer(sizes: configuration.thumbnailSizes, maxPixels: configuration.maxPixels, models: models)
    }

    /// One measured run: models loaded first (Lambda's init), then the photo, timed by process CPU clock.
    func runChild(photo: String, models: String, output: String) throws {
        let search = Configuration.faceSearch(named: faceSearch) ?? nil
        let analyzer = try Self.analyzer(models: try FaceModels(directory: models, search: search))
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: photo)))
        let w0 = BenchFacesCommand.nanoseconds(CLOCK_MONOTONIC)
        let c0 = BenchFacesCommand.nanoseconds(CLOCK_PROCESS_CPUTIME_ID)
        let analysis = try analyzer.analyze(bytes)
        let cpu = Double(BenchFacesCommand.nanoseconds(CLOCK_PROCESS_CPUTIME_ID) - c0) / 1e9
        let wall = Double(BenchFacesCommand.nanoseconds(CLOCK_MONOTONIC) - w0) / 1e9
        let result = ChildResult(
            width: analysis.width, height: analysis.height, cpuSeconds: cpu, wallSeconds: wall, stagesMs: analysis.timings,
            faces: analysis.faces.map { Detection(box: Self.box($0.box), confidence: $0.confidence) })
        try JSONEncoder().encode(result).write(to: URL(fileURLWithPath: output))
    }

    static func box(_ r: FaceRect) -> [Int] { [r.left, r.top, r.right, r.bottom] }

    static func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }

    static func summarize(threads: Int, _ runs: [(ChildResult, Double)]) -> ThreadRuns {
        let stages = Set(runs.flatMap { $0.0.stagesMs.keys })
        return ThreadRuns(
            threads: threads, cpuSeconds: median(runs.map(\.0.cpuSeconds)), wallSeconds: median(runs.map(\.0.wallSeconds)),
            peakRSSMB: median(runs.map(\.1)),
            stagesMs: Dictionary(uniqueKeysWithValues: stages.map { s in (s, median(runs.map { $0.0.stagesMs[s] ?? 0 })) }),
            cpuSecondsRange: [runs.map(\.0.cpuSeconds).min()!, runs.map(\.0.cpuSeconds).max()!],
            wallSecondsRange: [runs.map(\.0.wallSeconds).min()!, runs.map(\.0.wallSeconds).max()!])
    }

    static func ratio(_ a: Int, _ b: Int) -> Double? { b == 0 ? nil : Double(a) / Double(b) }

    static func iou(_ a: [Int], _ b: [Int]) -> Double {
        let w = min(a[2], b[2]) - max(a[0], b[0]) + 1
        let h = min(a[3], b[3]) - max(a[1], b[1]) + 1
        guard w > 0, h > 0 else { return 0 }
        let area = { (r: [Int]) in Double((r[2] - r[0] + 1) * (r[3] - r[1] + 1)) }
        return Double(w * h) / (area(a) + area(b) - Double(w * h))
    }

    /// How many of `reference` have a partner in `found` (IoU >= ``iouThreshold``, each partner used once).
    static func matched(_ reference: [Detection], by found: [Detection]) -> Int {
        var used = Set<Int>()
        var count = 0
        for r in reference {
            let best = found.indices.filter { !used.contains($0) }.map { ($0, iou(r.box, found[$0].box)) }.max { $0.1 < $1.1 }
            if let (i, overlap) = best, overlap >= iouThreshold {
                used.insert(i)
                count += 1
            }
        }
        return count
    }

    /// The upsample-1 reference, cached by file name and size: the detector at upsample 1 on
    /// overlapping 2,048 px tiles of the full image (256 px overlap in the original), plus upsample 0
    /// on the whole image for faces larger than a tile's overlap, merged by the model's own
    /// non-max suppression. Tiles bound memory (upsample 1 on a whole 24 MP photo would need ~5 GB); for
    /// the same reason the upsample-0 pass runs on a half-size copy (2x2 mean) of photos over 16 MP.
    func referenceDetections(photo: String, bytes: [UInt8], models: FaceModels, dir: String, work: URL) throws -> (
        source: String, faces: [Detection]
    ) {
        struct Cached: Codable {
            var source: String
            var faces: [Detection]
        }
        let name = URL(fileURLWithPath: photo).lastPathComponent
        let cacheFile = URL(fileURLWithPath: referenceCache).appendingPathComponent(
            "\(name)-\(bytes.count)-\(dlib ? "dlib" : "facekit").json")
        if let data = FileManager.default.contents(atPath: cacheFile.path), let cached = try? JSONDecoder().decode(Cached.self, from: data)
        {
            return (cached.source, cached.faces)
        }
        FileHandle.standardError.write(Data("\(photo): making the upsample-1 reference (slow, cached in \(referenceCache))\n".utf8))
        let decoded = try ImageDecoder.decode(bytes, options: DecodeOptions(applyOrientation: true)).pixels
        let image = decoded.rgbImage
        var faces: [Detection] = []
        var source: String
        if dlib {
            let raw = work.appendingPathComponent("reference.rgb")
            try Data(image.pixels).write(to: raw)
            let script = work.appendingPathComponent("reference.py")
            try Self.dlibReferenceScript.write(to: script, atomically: true, encoding: .utf8)
            let out = work.appendingPathComponent("reference.json")
            let status = BenchThumbnailsCommand.run([
                "python3", script.path, dir, raw.path, "\(image.width)", "\(image.height)", out.path,
            ]).status
            guard status == 0, let data = FileManager.default.contents(atPath: out.path) else {
                throw ValidationError("the dlib reference run failed (exit status \(status))")
            }
            faces = try JSONDecoder().decode([Detection].self, from: data)
            source = "dlib upsample 1 (tiled) on the full image"
        } else {
            var candidates = models.detector.detect(in: image, upsample: 0)
            if image.width * image.height > Self.halfSizeAbove {
                let half = try Resampler.resize(decoded, width: image.width / 2, height: image.height / 2)
                candidates = models.detector.detect(in: half.rgbImage, upsample: 0).map { d in
                    FaceDetection(
                        rect: FaceRect(
                            left: d.rect.left * 2, top: d.rect.top * 2, right: d.rect.right * 2 + 1, bottom: d.rect.bottom * 2 + 1),
                        confidence: d.confidence)
                }
            }
            for tile in Self.tiles(width: image.width, height: image.height) {
                let crop = image.cropped(to: FaceRect(left: tile.x, top: tile.y, right: tile.x + tile.w - 1, bottom: tile.y + tile.h - 1))
                candidates += models.detector.detect(in: crop, upsample: 1).map { d in
                    var r = d.rect
                    r.left += tile.x
                    r.right += tile.x
                    r.top += tile.y
                    r.bottom += tile.y
                    return FaceDetection(rect: r, confidence: d.confidence)
                }
            }
            candidates.sort { $0.confidence > $1.confidence }
            var kept: [FaceDetection] = []
            for c in candidates where !kept.contains(where: { Self.iou(Self.box($0.rect), Self.box(c.rect)) > 0.3 }) { kept.append(c) }
            faces = kept.map { Detection(box: Self.box($0.rect), confidence: $0.confidence) }
            source = "FaceKit's dlib port at upsample 1 (tiled) on the full image"
        }
        try FileManager.default.createDirectory(at: cacheFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONEncoder().encode(Cached(source: source, faces: faces)).write(to: cacheFile)
        return (source, faces)
    }

    /// Overlapping tiles (x, y, width, height) of at most 2,048 px with a 256 px overlap.
    static func tiles(width: Int, height: Int, side: Int = 2048, overlap: Int = 256) -> [(x: Int, y: Int, w: Int, h: Int)] {
        func starts(_ n: Int) -> [Int] {
            guard n > side else { return [0] }
            var s = Array(stride(from: 0, to: n - side, by: side - overlap))
            s.append(n - side)
            return s
        }
        return starts(height).flatMap { y in starts(width).map { x in (x, y, min(side, width), min(side, height)) } }
    }

    /// dlib's side of the reference: the same tiles and merge, with dlib's own detector.
    static let dlibReferenceScript = #"""
        import json, sys
        import numpy as np
        import dlib
        models, raw, width, height, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        img = np.fromfile(raw, dtype=np.uint8).reshape(height, width, 3)
        detector = dlib.cnn_face_detection_model_v1(models + "/mmod_human_face_detector.dat")
        side, overlap = 2048, 256
        def starts(n):
            if n <= side:
                return [0]
            return list(range(0, n - side, side - overlap)) + [n - side]
        if width * height > 16_000_000:
            h2, w2 = height // 2, width // 2
            half = img[:h2 * 2, :w2 * 2].reshape(h2, 2, w2, 2, 3).mean(axis=(1, 3)).round().astype(np.uint8)
            cands = [([2 * d.rect.left(), 2 * d.rect.top(), 2 * d.rect.right() + 1, 2 * d.rect.bottom() + 1], d.confidence)
                     for d in detector(half, 0)]
        else:
            cands = [([d.rect.left(), d.rect.top(), d.rect.right(), d.rect.bottom()], d.confidence) for d in detector(img, 0)]
        for y in starts(height):
            for x in starts(width):
                tile = np.ascontiguousarray(img[y:y + side, x:x + side])
                for d in detector(tile, 1):
                    r = d.rect
                    cands.append(([r.left() + x, r.top() + y, r.right() + x, r.bottom() + y], d.confidence))
        def iou(a, b):
            w, h = min(a[2], b[2]) - max(a[0], b[0]) + 1, min(a[3], b[3]) - max(a[1], b[1]) + 1
            if w <= 0 or h <= 0:
                return 0
            area = lambda r: (r[2] - r[0] + 1) * (r[3] - r[1] + 1)
            return w * h / (area(a) + area(b) - w * h)
        kept = []
        for box, conf in sorted(cands, key=lambda c: -c[1]):
            if all(iou(box, k[0]) <= 0.3 for k in kept):
                kept.append((box, conf))
        json.dump([{"box": b, "confidence": c} for b, c in kept], open(out, "w"))
        """#

    /// The human-readable summary.
    static func table(_ r: Report) -> String {
        var text =
            "\nprocess benchmark (release, BLAS \(r.blasKernel), face search \(r.faceSearch ?? "whole"), median of \(r.runsPerThreadCount) runs; CPU = user+sys)\n"
        let order = ["decode", "exif", "detect", "landmarks", "descriptors", "thumbnails", "encode"]
        for p in r.photos {
            text += "\n\(URL(fileURLWithPath: p.file).lastPathComponent) \(p.width)x\(p.height), \(p.faces.count) faces\n"
            for t in p.runs {
                let stages = order.map { "\($0) \(String(format: "%.0f", t.stagesMs[$0] ?? 0))" }.joined(separator: ", ")
                text += String(
                    format: "  %d thread(s): CPU %.2f s (%.2f-%.2f), wall %.2f s (%.2f-%.2f), peak RSS %.0f MB\n", t.threads, t.cpuSeconds,
                    t.cpuSecondsRange[0], t.cpuSecondsRange[1], t.wallSeconds, t.wallSecondsRange[0], t.wallSecondsRange[1], t.peakRSSMB)
                text += "    stages ms: \(stages)\n"
            }
            for rc in p.recall {
                text += "  recall vs \(rc.reference): \(rc.found)/\(rc.referenceFaces)"
                if let today = rc.todayFound { text += " (today's pipeline \(today)/\(rc.referenceFaces))" }
                text += ", detections without a reference partner: \(rc.unmatched)\n"
            }
            for c in p.cost {
                text += String(
                    format: "  %4d MB (%.2f vCPU, %d thread(s)): wall %.2f s, per 1,000 photos x86 $%.4f, arm64 $%.4f\n", c.memoryMB,
                    c.vCPUs, c.threads, c.modelledWallSeconds, c.x86Per1000, c.arm64Per1000)
            }
        }
        return text
    }
}
