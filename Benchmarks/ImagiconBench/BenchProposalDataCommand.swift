import ArgumentParser
import FaceKit
import Foundation
import ImageKit
import Imagicon

/// `imagicon-bench proposal-data PATH... --out DIR`: the training data of the learned proposer
/// (``ProposalSample``) for every photo given (folders are searched), on the pipeline's detection copy
/// (bounded to 4 MP): per photo `NAME.json` (grid size, which cells are on the level, the whole run's
/// fine-level windows) and `NAME.f32` (the features, little-endian float32, channel-major).
/// `scripts/train-proposal-head` reads the folder.
struct BenchProposalDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proposal-data", abstract: "Write the learned face proposer's training data (features and whole-run windows).")

    @Argument(help: "Photos or folders of photos (JPEG, PNG).") var paths: [String]
    @Option(help: "Folder with the dlib model files.") var models: String?
    @Option(help: "Output folder.") var out: String
    @Option(help: "First pyramid level run whole.") var firstLevel: Int = 4
    @Option(help: "Fine-level windows scoring above this are written.") var minScore: Float = -1.5
    @Option(help: "Network threads.") var threads: Int = 1

    struct Header: Codable {
        var photo: String
        var width: Int
        var height: Int
        var channels: Int
        var rows: Int
        var cols: Int
        var onLevel: String
        var windows: [ProposalSample.Window]
    }

    func run() throws {
        FaceKitThreads.set(threads)
        let dir = Configuration.modelsDirectory(explicit: models, environment: ProcessInfo.processInfo.environment)
        let detector = try FaceModels(directory: dir).detector
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for file in try paths.flatMap({ try BenchDetectionCommand.photos(under: $0) }) {
            let image = try ImageDecoder.decode(
                Array(try Data(contentsOf: URL(fileURLWithPath: file))), options: DecodeOptions(applyOrientation: true)
            )
            .pixels
            let copy = try image.detectionCopy(maxPixels: FaceModels.detectionMaxPixels) ?? image
            guard let sample = detector.proposalSample(in: copy.rgbImage, firstWholeLevel: firstLevel, minScore: minScore) else {
                FileHandle.standardError.write(Data("\(file): no level past \(firstLevel), skipped\n".utf8))
                continue
            }
            let name = file.replacingOccurrences(of: "/", with: "__").drop { $0 == "." || $0 == "_" }
            let header = Header(
                photo: file, width: copy.width, height: copy.height, channels: sample.channels, rows: sample.rows, cols: sample.cols,
                onLevel: String(sample.onLevel.map { $0 ? "1" : "0" }), windows: sample.windows)
            try JSONEncoder().encode(header).write(to: URL(fileURLWithPath: "\(out)/\(name).json"))
            try sample.features.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: "\(out)/\(name).f32"))
            let detected = sample.windows.filter(\.detected).count
            FileHandle.standardError.write(
                Data("\(file): \(sample.rows)x\(sample.cols) cells, \(sample.windows.count) windows, \(detected) detected\n".utf8))
        }
    }
}
