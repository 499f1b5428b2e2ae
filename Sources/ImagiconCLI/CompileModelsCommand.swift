import ArgumentParser
import FaceKit
import Foundation

/// `imagicon compile-models [--models DIR]`: writes `<model>.dat.imgc` next to the MMOD detector,
/// the descriptor ResNet and the shape predictor, which FaceKit then loads instead of parsing dlib's format
/// (cold start). Run once at setup or packaging time; prints the written files as JSON.
struct CompileModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile-models",
        abstract: "Compile dlib's CNN models into memory-mappable .imgc files for fast loading.")

    @Option(help: "Folder with the dlib model files (default: $IMAGICON_MODELS_DIR, /opt/models, ./models).") var models: String?

    func run() throws {
        let dir = try FacesModels.directory(models)
        var written: [String] = []
        for name in [FaceAnalyzer.detectorFile, FaceAnalyzer.descriptorFile] {
            written.append(try FaceModelCompiler.compile(modelAt: dir + "/" + name))
        }
        written.append(try ShapePredictor.compileCompactCopy(of: dir + "/" + FaceAnalyzer.shapePredictorFile))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        FileHandle.standardOutput.write(try encoder.encode(["compiled": written]))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
