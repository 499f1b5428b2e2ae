import ArgumentParser
import Dispatch
import FaceKit
import Foundation
import Imagicon

/// `imagicon-bench convert FILE`: the `convert` function's conversion core (decode, resize or
/// crop, encode; no S3) timed in process on one image for a few requests, printing per request
/// the median and fastest wall time and the output size as JSON.
struct BenchConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Conversion latency of the convert function's core on one image.")

    @Argument(help: "A JPEG, PNG, WebP, HEIC or AVIF image.")
    var file: String

    @Option(name: .customLong("request"), help: "A convert query string (repeatable), e.g. 'w=1024&format=webp'.")
    var requests: [String] = ["w=1024&h=1024&format=webp", "w=1024&h=1024&format=jpeg"]

    @Option(help: "Timed runs per request (after one warm-up run).")
    var runs: Int = 7

    @Option(help: "Folder with mmod_human_face_detector.dat, for fit=smart (default: IMAGICON_MODELS_DIR, /opt/models, ./models).")
    var models: String?

    func run() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1.") }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        var environment = ProcessInfo.processInfo.environment
        if let models { environment["IMAGICON_MODELS_DIR"] = models }
        let configuration = try Configuration(environment: environment)
        let detector = "\(configuration.modelsDirectory)/\(FaceAnalyzer.detectorFile)"
        let converter = ImageConverter(
            maxPixels: configuration.maxPixels,
            faces: FileManager.default.fileExists(atPath: detector) ? LazyFaceDetector(modelPath: detector) : nil)

        struct Result: Encodable {
            let request: String, medianMs: Double, minMs: Double, width: Int, height: Int, bytes: Int
            let faces: String?
        }
        var results: [Result] = []
        for query in requests {
            let request: ConvertRequest
            do {
                request = try ConvertRequest.parse(rawPath: "/bench", rawQueryString: query)
            } catch {
                throw ValidationError("--request '\(query)': \(error.message)")
            }
            var times: [Double] = []
            var last: ConvertedImage?
            for run in 0...runs {
                let start = DispatchTime.now().uptimeNanoseconds
                do {
                    last = try converter.convert(bytes, request: request)
                } catch {
                    throw ValidationError("\(file): \(error.message)")
                }
                if run > 0 { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
            }
            times.sort()
            let out = last!
            results.append(
                Result(
                    request: query, medianMs: (times[times.count / 2] * 10).rounded() / 10, minMs: (times[0] * 10).rounded() / 10,
                    width: out.width, height: out.height, bytes: out.bytes.count,
                    faces: out.facesFound.map { "\(out.facesKept ?? 0)/\($0)" }))
        }
        struct Report: Encodable {
            let file: String
            let runs: Int
            let results: [Result]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(Report(file: file, runs: runs, results: results)), as: UTF8.self))
    }
}
