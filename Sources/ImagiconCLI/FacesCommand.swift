import ArgumentParser
import FaceKit
import Foundation
import ImageKit
import Imagicon

/// `imagicon faces FILE [--upsample N]`: dlib's face pipeline on one photo, as JSON
/// (`{"width","height","faces":[{"box","confidence","landmarks","descriptor"}]}`), coordinates in
/// the displayed (orientation-applied) image.
struct FacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faces", abstract: "Detect faces, landmarks and 128-d descriptors in a photo.")

    @Argument(help: "A JPEG or PNG file.") var file: String
    @Option(help: "Double the image this many times before detection (finds smaller faces; slower).") var upsample: Int = 0
    @Option(help: "Folder with the dlib model files (default: $IMAGICON_MODELS_DIR, /opt/models, ./models).") var models: String?
    @Option(help: "Threads (default: all processors).") var threads: Int?

    func validate() throws {
        guard (0...3).contains(upsample) else { throw ValidationError("--upsample must be 0...3") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        if let threads { FaceKitThreads.set(threads) }
        let image = try FacesInput.load(path: file)
        let analyzer = try FaceAnalyzer(modelsDirectory: FacesModels.directory(models))
        let faces = try analyzer.analyze(image, upsample: upsample)
        let doc = FacesDocument(
            width: image.width, height: image.height,
            faces: faces.map { f in
                .init(
                    box: .init(left: f.rect.left, top: f.rect.top, right: f.rect.right, bottom: f.rect.bottom),
                    confidence: f.confidence,
                    landmarks: f.landmarks.map { [$0.x, $0.y] },
                    descriptor: f.descriptor)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        FileHandle.standardOutput.write(try encoder.encode(doc))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}

/// The JSON shape of `imagicon faces` (DESIGN.md).
struct FacesDocument: Encodable {
    struct Box: Encodable { var left, top, right, bottom: Int }
    struct Face: Encodable {
        var box: Box
        var confidence: Double
        var landmarks: [[Double]]
        var descriptor: [Float]
    }
    var width: Int
    var height: Int
    var faces: [Face]
}

/// Finds the models folder the way the Lambda does.
enum FacesModels {
    /// `--models`, else `IMAGICON_MODELS_DIR`, else the default folders, as the functions find them
    /// (``Configuration/modelsDirectory(explicit:environment:fileExists:)``); an error when the detector is not there.
    static func directory(_ explicit: String?) throws -> String {
        let dir = Configuration.modelsDirectory(explicit: explicit, environment: ProcessInfo.processInfo.environment)
        guard FileManager.default.fileExists(atPath: dir + "/" + FaceAnalyzer.detectorFile) else {
            throw ValidationError("no dlib models found in \(dir); set IMAGICON_MODELS_DIR or --models")
        }
        return dir
    }
}

/// Decodes a photo for the face commands with ImageKit: upright (EXIF orientation applied), alpha
/// composited away as the process pipeline does, as FaceKit's RGB image.
enum FacesInput {
    static func load(path: String) throws -> RGBImage {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw FacesInputError(description: "cannot read \(path): \(error.localizedDescription)")
        }
        return try ImageDecoder.decode(bytes).pixels.rgbImage
    }
}

/// A one-line input failure (printed as `Error: ...`, exit status 1).
struct FacesInputError: Error, CustomStringConvertible {
    let description: String
}
