import ArgumentParser
import FaceKit
import Foundation

/// `imagicon bench faces DIR`: times each stage of the face pipeline on every JPEG/PNG under
/// DIR and prints per-image and median figures as JSON (milliseconds).
struct BenchFacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "faces", abstract: "Time detection, landmarks and descriptors on a folder of photos.")

    @Argument(help: "Folder (searched recursively) or single image.") var path: String
    @Option(help: "Detector upsampling.") var upsample: Int = 0
    @Option(help: "Threads (1 reports thread CPU time, more report wall time).") var threads: Int = 1
    @Option(help: "Runs per image; the fastest is reported.") var runs: Int = 1
    @Option(help: "Folder with the dlib model files.") var models: String?

    struct ImageTiming: Encodable {
        var file: String
        var width: Int
        var height: Int
        var faces: Int
        var decodeMs: Double
        var detectMs: Double
        var landmarksMsPerFace: Double?
        var chipMsPerFace: Double?
        var descriptorMsPerFace: Double?
    }

    struct Report: Encodable {
        /// "thread CPU" (one thread) or "wall".
        var clock: String
        /// OpenBLAS kernel family.
        var blasKernel: String
        var threads: Int
        var upsample: Int
        var modelLoadMs: [String: Double]
        var images: [ImageTiming]
        var medianDetectMsPerMegapixel: Double?
        var medianLandmarksMsPerFace: Double?
        var medianDescriptorMsPerFace: Double?
    }

    func validate() throws {
        guard (0...3).contains(upsample), threads >= 1, runs >= 1 else { throw ValidationError("bad --upsample, --threads or --runs") }
    }

    /// Milliseconds `body` takes: CPU time of this thread with one thread (immune to other
    /// processes on a shared machine), wall time otherwise.
    static func ms(_ body: () throws -> Void) rethrows -> Double {
        if FaceKitThreads.current == 1 {
            let t0 = threadCPUNanoseconds()
            try body()
            return Double(threadCPUNanoseconds() - t0) / 1e6
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
    }

    static func threadCPUNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    func run() throws {
        FaceKitThreads.set(threads)
        let dir = try FacesModels.directory(models)
        var detector: FaceDetector!, predictor: ShapePredictor!, network: FaceDescriptorNetwork!
        var load: [String: Double] = [:]
        load["detector"] = try Self.ms { detector = try FaceDetector(modelPath: dir + "/" + FaceAnalyzer.detectorFile) }
        load["shapePredictor"] = try Self.ms { predictor = try ShapePredictor(modelPath: dir + "/" + FaceAnalyzer.shapePredictorFile) }
        load["descriptor"] = try Self.ms { network = try FaceDescriptorNetwork(modelPath: dir + "/" + FaceAnalyzer.descriptorFile) }

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

        var timings: [ImageTiming] = []
        for file in files {
            var image: RGBImage!
            let decode = try Self.ms { image = try FacesInput.load(path: file) }
            var best = Double.infinity
            var dets: [FaceDetection] = []
            for _ in 0..<runs { best = min(best, Self.ms { dets = detector.detect(in: image, upsample: upsample) }) }
            var t = ImageTiming(file: file, width: image.width, height: image.height, faces: dets.count, decodeMs: decode, detectMs: best)
            if !dets.isEmpty {
                var marks: [[FacePoint]] = [], chips: [RGBImage] = []
                let lm = Self.ms { marks = dets.map { predictor.landmarks(in: image, face: $0.rect) } }
                let ch = Self.ms { chips = marks.map { FaceChip.extract(from: image, landmarks: $0) } }
                var desc = Double.infinity
                for _ in 0..<runs { desc = min(desc, try Self.ms { for c in chips { _ = try network.descriptor(ofChip: c) } }) }
                let n = Double(dets.count)
                t.landmarksMsPerFace = lm / n
                t.chipMsPerFace = ch / n
                t.descriptorMsPerFace = desc / n
            }
            timings.append(t)
            FileHandle.standardError.write(Data("\(file): \(image.width)x\(image.height) detect \(String(format: "%.1f", best)) ms, \(dets.count) faces\n".utf8))
        }
        func median(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.sorted()[v.count / 2] }
        let report = Report(clock: threads == 1 ? "thread CPU" : "wall", blasKernel: FaceKitThreads.kernel, threads: threads, upsample: upsample, modelLoadMs: load, images: timings,
                            medianDetectMsPerMegapixel: median(timings.map { $0.detectMs / (Double($0.width * $0.height) / 1e6) }),
                            medianLandmarksMsPerFace: median(timings.compactMap(\.landmarksMsPerFace)),
                            medianDescriptorMsPerFace: median(timings.compactMap(\.descriptorMsPerFace)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        FileHandle.standardOutput.write(try encoder.encode(report))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
