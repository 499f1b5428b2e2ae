import ArgumentParser
import FaceKit
import Foundation
import ImageKit
import Imagicon

/// `imagicon-bench faces DIR`: times each stage of the face pipeline on every JPEG/PNG under
/// DIR and prints per-image and median figures as JSON (milliseconds).
///
/// With `--dlib`, dlib's Python binding runs the same stages on the same decoded pixels in a
/// child process of the same run (its BLAS limited to the same thread count), and the report
/// adds dlib's times, our/dlib time ratios and how far the two answers are apart.
struct BenchFacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faces",
        abstract: "Time detection, landmarks and descriptors on a folder of photos (optionally side by side with dlib).")

    @Argument(help: "Folder (searched recursively) or single image.") var path: String
    @Option(help: "Detector upsampling.") var upsample: Int = 0
    @Option(help: "Threads for FaceKit (and OpenBLAS threads for dlib).") var threads: Int = 1
    @Option(help: "Runs per image; the fastest is reported.") var runs: Int = 1
    @Option(help: "Folder with the dlib model files.") var models: String?
    @Flag(help: "Also run dlib's Python binding (scripts/setup-dlib) on the same pixels, side by side.") var dlib = false

    /// Wall and CPU milliseconds of one measured step (the fastest of the runs for each).
    struct Timing: Codable {
        var wallMs: Double
        var cpuMs: Double
    }

    struct ImageTiming: Encodable {
        var file: String
        var width: Int
        var height: Int
        var faces: Int
        var decodeMs: Double
        var detect: Timing
        var landmarksPerFace: Timing?
        var chipPerFace: Timing?
        var descriptorPerFace: Timing?
        var dlib: DlibImage?
        /// Our time / dlib's time (wall, and CPU).
        var detectRatio: Timing?
        var descriptorRatio: Timing?
        var parity: Parity?
    }

    /// How our answers compare with dlib's on this image. dlib's detections are matched to ours
    /// by best overlap (IoU); landmarks and descriptors are compared for matched pairs.
    struct Parity: Encodable {
        var dlibFaces: Int
        var ourFaces: Int
        /// dlib detections with an IoU >= 0.9 partner among ours.
        var matched: Int
        /// Of those, partners with the very same rectangle.
        var identicalBoxes: Int
        var minIoU: Double?
        var maxConfidenceDelta: Double?
        var maxLandmarkDelta: Double?
        /// Over pairs with identical rectangles.
        var maxDescriptorDistance: Double?

        /// FaceKit's parity bar (issue 10): every dlib detection found with IoU >= 0.9 and
        /// confidence within 0.02, no extras, landmarks within 1 px, descriptors within 0.01
        /// for identical rectangles.
        var meetsBar: Bool {
            matched == dlibFaces && ourFaces == dlibFaces && (maxConfidenceDelta ?? 0) <= 0.02
                && (maxLandmarkDelta ?? 0) <= 1 && (maxDescriptorDistance ?? 0) < 0.01
        }
    }

    /// What the dlib child reports per image.
    struct DlibImage: Codable {
        var detect: Timing
        var landmarksPerFace: Timing?
        var chipPerFace: Timing?
        var descriptorPerFace: Timing?
        var boxes: [[Int]]
        var confidences: [Double]
        var landmarks: [[[Double]]]
        var descriptors: [[Double]]
    }

    struct DlibReport: Codable {
        var version: String
        var blas: Bool
        var avx: Bool
        var images: [DlibImage]
    }

    struct Report: Encodable {
        /// OpenBLAS kernel family.
        var blasKernel: String
        var threads: Int
        var upsample: Int
        var runs: Int
        var modelLoadMs: [String: Double]
        var dlibVersion: String?
        var dlibBuild: String?
        var images: [ImageTiming]
        var medianDetectWallMsPerMegapixel: Double?
        var medianLandmarksWallMsPerFace: Double?
        var medianDescriptorWallMsPerFace: Double?
        var medianDetectRatio: Timing?
        var medianDescriptorRatio: Timing?
        /// Every image meets FaceKit's parity bar against dlib (see `Parity.meetsBar`).
        var allMeetParityBar: Bool?
        /// dlib detections with identical rectangles, of all dlib detections.
        var identicalBoxes: String?
    }

    func validate() throws {
        guard (0...3).contains(upsample), threads >= 1, runs >= 1 else { throw ValidationError("bad --upsample, --threads or --runs") }
    }

    static func nanoseconds(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Runs `body` `runs` times; the fastest wall time and the smallest process CPU time.
    static func measure(runs: Int = 1, _ body: () throws -> Void) rethrows -> Timing {
        var best = Timing(wallMs: .infinity, cpuMs: .infinity)
        for _ in 0..<max(1, runs) {
            let w0 = nanoseconds(CLOCK_MONOTONIC)
            let c0 = nanoseconds(CLOCK_PROCESS_CPUTIME_ID)
            try body()
            best.wallMs = min(best.wallMs, Double(nanoseconds(CLOCK_MONOTONIC) - w0) / 1e6)
            best.cpuMs = min(best.cpuMs, Double(nanoseconds(CLOCK_PROCESS_CPUTIME_ID) - c0) / 1e6)
        }
        return best
    }

    static func perFace(_ t: Timing, _ n: Int) -> Timing { Timing(wallMs: t.wallMs / Double(n), cpuMs: t.cpuMs / Double(n)) }
    static func ratio(_ a: Timing, _ b: Timing) -> Timing { Timing(wallMs: a.wallMs / b.wallMs, cpuMs: a.cpuMs / b.cpuMs) }

    func run() throws {
        FaceKitThreads.set(threads)
        let dir = Configuration.modelsDirectory(explicit: models, environment: ProcessInfo.processInfo.environment)
        if dlib, BenchThumbnailsCommand.run(["python3", "-c", "import dlib, numpy"]).status != 0 {
            throw ValidationError("--dlib needs dlib's Python binding and numpy: run scripts/setup-dlib")
        }
        var detector: FaceDetector!
        var predictor: ShapePredictor!
        var network: FaceDescriptorNetwork!
        var load: [String: Double] = [:]
        load["detector"] = try Self.measure { detector = try FaceDetector(modelPath: dir + "/" + FaceAnalyzer.detectorFile) }.wallMs
        load["shapePredictor"] = try Self.measure { predictor = try ShapePredictor(modelPath: dir + "/" + FaceAnalyzer.shapePredictorFile) }
            .wallMs
        load["descriptor"] = try Self.measure { network = try FaceDescriptorNetwork(modelPath: dir + "/" + FaceAnalyzer.descriptorFile) }
            .wallMs

        var files: [String] = []
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            let e = FileManager.default.enumerator(atPath: path)
            while let f = e?.nextObject() as? String {
                let l = f.lowercased()
                if l.hasSuffix(".jpg") || l.hasSuffix(".jpeg") || l.hasSuffix(".png") { files.append(path + "/" + f) }
            }
            files.sort()
        } else {
            files = [path]
        }
        guard !files.isEmpty else { throw ValidationError("no JPEG or PNG files in \(path)") }

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("imagicon-bench-faces-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var timings: [ImageTiming] = []
        var ours: [(marks: [[FacePoint]], descriptors: [[Float]], detections: [FaceDetection])] = []
        var dlibInputs: [[String: Any]] = []
        for (index, file) in files.enumerated() {
            var image: RGBImage!
            let decode = try Self.measure {
                image = try ImageDecoder.decode(Array(Data(contentsOf: URL(fileURLWithPath: file)))).pixels.rgbImage
            }
            var dets: [FaceDetection] = []
            let detect = Self.measure(runs: runs) { dets = detector.detect(in: image, upsample: upsample) }
            var t = ImageTiming(
                file: file, width: image.width, height: image.height, faces: dets.count, decodeMs: decode.wallMs, detect: detect)
            var marks: [[FacePoint]] = []
            var descriptors: [[Float]] = []
            if !dets.isEmpty {
                var chips: [RGBImage] = []
                t.landmarksPerFace = Self.perFace(
                    Self.measure { marks = dets.map { predictor.landmarks(in: image, face: $0.rect) } }, dets.count)
                t.chipPerFace = Self.perFace(
                    Self.measure { chips = marks.map { FaceChip.extract(from: image, landmarks: $0) } }, dets.count)
                t.descriptorPerFace = Self.perFace(
                    try Self.measure(runs: runs) { descriptors = try chips.map { try network.descriptor(ofChip: $0) } }, dets.count)
            }
            timings.append(t)
            ours.append((marks, descriptors, dets))
            FileHandle.standardError.write(
                Data(
                    "\(file): \(image.width)x\(image.height) detect \(String(format: "%.1f", detect.wallMs)) ms wall, \(dets.count) faces\n"
                        .utf8))
            if dlib {
                let raw = work.appendingPathComponent("\(index).rgb")
                try Data(image.pixels).write(to: raw)
                dlibInputs.append(["raw": raw.path, "width": image.width, "height": image.height])
            }
        }

        var dlibReport: DlibReport?
        if dlib {
            let request = work.appendingPathComponent("request.json")
            let script = work.appendingPathComponent("dlib_bench.py")
            try JSONSerialization.data(withJSONObject: ["models": dir, "upsample": upsample, "runs": runs, "images": dlibInputs]).write(
                to: request)
            try Self.dlibScript.write(to: script, atomically: true, encoding: .utf8)
            FileHandle.standardError.write(
                Data("running dlib on the same \(files.count) images (OPENBLAS_NUM_THREADS=\(threads))...\n".utf8))
            let output = work.appendingPathComponent("dlib.json")
            let status = BenchThumbnailsCommand.run([
                "env", "OPENBLAS_NUM_THREADS=\(threads)", "OMP_NUM_THREADS=\(threads)",
                "python3", script.path, request.path, output.path,
            ]).status
            guard status == 0, let data = FileManager.default.contents(atPath: output.path) else {
                throw ValidationError("the dlib run failed (exit status \(status))")
            }
            let report = try JSONDecoder().decode(DlibReport.self, from: data)
            guard report.images.count == timings.count else {
                throw ValidationError("the dlib run returned \(report.images.count) of \(timings.count) images")
            }
            dlibReport = report
            for i in timings.indices {
                let d = report.images[i]
                timings[i].dlib = d
                timings[i].detectRatio = Self.ratio(timings[i].detect, d.detect)
                if let a = timings[i].descriptorPerFace, let b = d.descriptorPerFace { timings[i].descriptorRatio = Self.ratio(a, b) }
                timings[i].parity = Self.parity(ours: ours[i], dlib: d)
            }
        }

        func median(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.sorted()[v.count / 2] }
        func medianTiming(_ v: [Timing]) -> Timing? {
            guard let w = median(v.map(\.wallMs)), let c = median(v.map(\.cpuMs)) else { return nil }
            return Timing(wallMs: w, cpuMs: c)
        }
        let report = Report(
            blasKernel: FaceKitThreads.kernel, threads: threads, upsample: upsample, runs: runs, modelLoadMs: load,
            dlibVersion: dlibReport?.version,
            dlibBuild: dlibReport.map { "\($0.avx ? "AVX" : "no AVX"), \($0.blas ? "BLAS" : "no BLAS")" },
            images: timings,
            medianDetectWallMsPerMegapixel: median(timings.map { $0.detect.wallMs / (Double($0.width * $0.height) / 1e6) }),
            medianLandmarksWallMsPerFace: median(timings.compactMap(\.landmarksPerFace?.wallMs)),
            medianDescriptorWallMsPerFace: median(timings.compactMap(\.descriptorPerFace?.wallMs)),
            medianDetectRatio: medianTiming(timings.compactMap(\.detectRatio)),
            medianDescriptorRatio: medianTiming(timings.compactMap(\.descriptorRatio)),
            allMeetParityBar: dlib ? timings.allSatisfy { $0.parity?.meetsBar == true } : nil,
            identicalBoxes: dlib
                ? "\(timings.compactMap(\.parity?.identicalBoxes).reduce(0, +)) of \(timings.compactMap(\.parity?.dlibFaces).reduce(0, +))"
                : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        FileHandle.standardOutput.write(try encoder.encode(report))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// Matches each dlib detection to our best-overlapping one and compares what follows.
    static func parity(ours: (marks: [[FacePoint]], descriptors: [[Float]], detections: [FaceDetection]), dlib d: DlibImage) -> Parity {
        var p = Parity(dlibFaces: d.boxes.count, ourFaces: ours.detections.count, matched: 0, identicalBoxes: 0)
        func iou(_ a: FaceRect, _ b: [Int]) -> Double {
            let w = min(a.right, b[2]) - max(a.left, b[0]) + 1
            let h = min(a.bottom, b[3]) - max(a.top, b[1]) + 1
            guard w > 0, h > 0 else { return 0 }
            let area = { (l: Int, t: Int, r: Int, bt: Int) in Double((r - l + 1) * (bt - t + 1)) }
            let inter = Double(w * h)
            return inter / (area(a.left, a.top, a.right, a.bottom) + area(b[0], b[1], b[2], b[3]) - inter)
        }
        for (j, box) in d.boxes.enumerated() where box.count == 4 {
            guard let (i, overlap) = ours.detections.indices.map({ ($0, iou(ours.detections[$0].rect, box)) }).max(by: { $0.1 < $1.1 }),
                overlap >= 0.9
            else { continue }
            p.matched += 1
            p.minIoU = min(p.minIoU ?? 1, overlap)
            let r = ours.detections[i].rect
            if [r.left, r.top, r.right, r.bottom] == box { p.identicalBoxes += 1 }
            p.maxConfidenceDelta = max(p.maxConfidenceDelta ?? 0, abs(ours.detections[i].confidence - d.confidences[j]))
            if i < ours.marks.count, j < d.landmarks.count {
                for (a, b) in zip(ours.marks[i], d.landmarks[j]) where b.count == 2 {
                    p.maxLandmarkDelta = max(p.maxLandmarkDelta ?? 0, max(abs(a.x - b[0]), abs(a.y - b[1])))
                }
            }
            // A descriptor follows its rectangle (a different box moves it by ~0.04), so it is
            // compared only where the rectangles are the same.
            if [r.left, r.top, r.right, r.bottom] == box, i < ours.descriptors.count, j < d.descriptors.count {
                let dist = zip(ours.descriptors[i], d.descriptors[j]).reduce(0.0) { $0 + (Double($1.0) - $1.1) * (Double($1.0) - $1.1) }
                    .squareRoot()
                p.maxDescriptorDistance = max(p.maxDescriptorDistance ?? 0, dist)
            }
        }
        return p
    }

    /// The dlib side: the same stages as ours, timed the same way (fastest of `runs`, wall and
    /// process CPU), on the raw RGB pixels we decoded.
    static let dlibScript = #"""
        import json, sys, time
        import numpy as np
        import dlib
        request = json.load(open(sys.argv[1]))
        models = request["models"]
        detector = dlib.cnn_face_detection_model_v1(models + "/mmod_human_face_detector.dat")
        predictor = dlib.shape_predictor(models + "/shape_predictor_5_face_landmarks.dat")
        network = dlib.face_recognition_model_v1(models + "/dlib_face_recognition_resnet_model_v1.dat")

        def measure(fn, runs=1):
            wall = cpu = float("inf")
            out = None
            for _ in range(max(1, runs)):
                w0, c0 = time.perf_counter(), time.process_time()
                out = fn()
                wall = min(wall, (time.perf_counter() - w0) * 1e3)
                cpu = min(cpu, (time.process_time() - c0) * 1e3)
            return out, {"wallMs": wall, "cpuMs": cpu}

        def per_face(t, n):
            return {"wallMs": t["wallMs"] / n, "cpuMs": t["cpuMs"] / n}

        images = []
        for item in request["images"]:
            img = np.fromfile(item["raw"], dtype=np.uint8).reshape(item["height"], item["width"], 3)
            dets, detect = measure(lambda: detector(img, request["upsample"]), request["runs"])
            rects = [d.rect for d in dets]
            result = {"detect": detect, "boxes": [[r.left(), r.top(), r.right(), r.bottom()] for r in rects],
                      "confidences": [d.confidence for d in dets], "landmarks": [], "descriptors": []}
            if rects:
                n = len(rects)
                shapes, t = measure(lambda: [predictor(img, r) for r in rects])
                result["landmarksPerFace"] = per_face(t, n)
                chips, t = measure(lambda: [dlib.get_face_chip(img, s, 150, 0.25) for s in shapes])
                result["chipPerFace"] = per_face(t, n)
                descriptors, t = measure(lambda: [network.compute_face_descriptor(c) for c in chips], request["runs"])
                result["descriptorPerFace"] = per_face(t, n)
                result["landmarks"] = [[[p.x, p.y] for p in s.parts()] for s in shapes]
                result["descriptors"] = [list(d) for d in descriptors]
            images.append(result)
            print(f"dlib: {item['width']}x{item['height']} detect {detect['wallMs']:.1f} ms wall, {len(rects)} faces", file=sys.stderr)
        json.dump({"version": dlib.__version__, "blas": bool(dlib.DLIB_USE_BLAS), "avx": bool(dlib.USE_AVX_INSTRUCTIONS),
                   "images": images}, open(sys.argv[2], "w"))
        """#
}
