import ArgumentParser
import Foundation
import ImageKit
import Imagicon

/// `imagicon process FILE... --out DIR`: the whole pipeline on local files, no AWS.
///
/// Writes `DIR/thumbnails/<size>/<album>/<file>/unversioned.<ext>` (the thumbnail layout) and `DIR/records/<album>/<file>.json` (the image
/// item and face items as they would be stored), and prints a summary document.
struct ProcessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Run the process pipeline (thumbnails, EXIF, faces, records) on local files.",
        discussion: "Exits 1 when any file could not be processed (its record then has status \"failed\").")

    @Argument(help: "Image files.")
    var files: [String]

    @Option(help: "Output folder (created if missing).")
    var out: String

    @Option(help: "Album the files belong to (their keys become <album>/<file name>).")
    var album: String = "local"

    @Option(help: "Thumbnail sizes, as IMAGICON_THUMBNAIL_SIZES.")
    var sizes: String = ProcessInfo.processInfo.environment["IMAGICON_THUMBNAIL_SIZES"] ?? "200x200,1024x1024"

    @Option(help: "Detector upsampling: 0 finds faces from ~80 px, 1 from ~40 px (4x slower).")
    var upsample: Int = 0

    @Flag(help: "Skip face detection.")
    var noFaces = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one image file") }
        guard (0...2).contains(upsample) else { throw ValidationError("--upsample must be 0, 1 or 2") }
        guard !album.hasPrefix("/"), !album.contains(".."), !album.hasSuffix("/") else {
            throw ValidationError("--album must be a relative path without '..' or a trailing '/'")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try Configuration(environment: environment.merging(["IMAGICON_THUMBNAIL_SIZES": sizes]) { $1 })
        var models: FaceModels?
        if !noFaces {
            try configuration.validateModels()
            models = try FaceModels(directory: configuration.modelsDirectory)
        }
        let analyzer = ImageAnalyzer(
            sizes: configuration.thumbnailSizes, maxPixels: configuration.maxPixels,
            upsample: upsample, models: models)
        let output = URL(fileURLWithPath: out)
        var summaries: [Summary] = []
        for file in files {
            summaries.append(try process(file, analyzer: analyzer, output: output))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try encoder.encode(["images": summaries]))
        FileHandle.standardOutput.write(Data("\n".utf8))
        if summaries.contains(where: { $0.status == .failed }) { throw ExitCode(1) }
    }

    struct Summary: Encodable {
        var file: String
        var key: String
        var status: ImageRecord.Status
        var error: String?
        var width: Int?
        var height: Int?
        var faceCount: Int
        var thumbnails: [String]
        var record: String
        var timingsMs: [String: Double]
    }

    struct RecordFile: Encodable {
        var image: ImageRecord
        var faces: [FaceRecord]
    }

    private func process(_ file: String, analyzer: ImageAnalyzer, output outputFolder: URL) throws -> Summary {
        let name = URL(fileURLWithPath: file).lastPathComponent
        let key = album.isEmpty ? name : "\(album)/\(name)"
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        let object = ObjectIdentity(bucket: "local", key: key, size: Int64(data.count))
        let output = ObjectOutput.build(object, body: Array(data), analyzer: analyzer)
        if let error = output.image.error {
            FileHandle.standardError.write(Data("imagicon process: \(file): \(error)\n".utf8))
        }
        var thumbnailPaths: [String] = []
        for entry in output.thumbnails {
            let url = outputFolder.appendingPathComponent(entry.key)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(entry.thumbnail.bytes).write(to: url)
            thumbnailPaths.append(url.path)
        }
        let record = RecordFile(image: output.image, faces: output.faces)
        let timings = output.timings
        let recordURL = outputFolder.appendingPathComponent("records/\(key).json")
        try FileManager.default.createDirectory(at: recordURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(record).write(to: recordURL)
        return Summary(
            file: file, key: key, status: record.image.status, error: record.image.error, width: record.image.width,
            height: record.image.height, faceCount: record.image.faceCount, thumbnails: thumbnailPaths,
            record: recordURL.path, timingsMs: timings)
    }
}
