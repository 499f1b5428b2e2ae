import ArgumentParser
import FaceKit
import Foundation
import Imagicon
import People

/// `imagicon people FILE... [--threshold T]`: the faces of local photos grouped into people, as
/// JSON (`{"people":[{"id","faces":[{"file","index","box"}]}],"unassigned":[{"file","index","box"}]}`).
/// `index` is the face's place in the file's faces (most confident first, as `process` numbers
/// them); boxes as in `imagicon faces`.
struct PeopleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "people", abstract: "Group the faces of photos into people.",
        discussion: "Files that cannot be read are reported on stderr and skipped; the exit status is then 1.")

    @Argument(help: "Image files.") var files: [String]
    @Option(help: "Average-linkage cut on descriptor distance (default \(PeopleOptions().threshold)).") var threshold: Float?
    @Option(help: "Detector upsampling: 0 finds faces from ~80 px, 1 from ~40 px (4x slower).") var upsample: Int = 0
    @Option(help: "Folder with the dlib model files (default: $IMAGICON_MODELS_DIR, /opt/models, ./models).") var models: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one image file") }
        if let threshold { guard threshold > 0, threshold < 2 else { throw ValidationError("--threshold must be in (0, 2)") } }
        guard (0...2).contains(upsample) else { throw ValidationError("--upsample must be 0, 1 or 2") }
    }

    struct FaceRef: Encodable {
        var file: String
        var index: Int
        var box: FacesDocument.Box
    }

    struct Group: Encodable {
        var id: Int
        var faces: [FaceRef]
    }

    struct Document: Encodable {
        var people: [Group]
        var unassigned: [FaceRef]
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let maxPixels = try Configuration(environment: environment).maxPixels
        let faceModels = try FaceModels(directory: FacesModels.directory(models))
        var refs: [String: FaceRef] = [:]
        var faces: [PeopleFace] = []
        var failed = false
        for (n, file) in files.enumerated() {
            let found: [AnalyzedFace]
            do {
                guard let data = FileManager.default.contents(atPath: file) else { throw FacesInputError(description: "cannot read it") }
                found = try faceModels.faces(inEncoded: Array(data), maxPixels: maxPixels, upsample: upsample)
            } catch {
                FileHandle.standardError.write(Data("imagicon people: \(file): \(error)\n".utf8))
                failed = true
                continue
            }
            for (index, face) in found.enumerated() {
                // Ids sort by file position, then face index.
                let id = String(format: "%08d/%04d", n, index)
                let b = face.box
                refs[id] = FaceRef(file: file, index: index, box: .init(left: b.left, top: b.top, right: b.right, bottom: b.bottom))
                faces.append(PeopleFace(id: id, descriptor: face.descriptor, size: min(b.right - b.left, b.bottom - b.top) + 1))
            }
        }
        var options = PeopleOptions()
        if let threshold { options.threshold = threshold }
        var index = PeopleIndex(options: options)
        try index.add(faces)
        let doc = Document(
            people: index.people.map { Group(id: $0.id, faces: $0.faces.map { refs[$0]! }) },
            unassigned: index.unassigned.map { refs[$0]! })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try encoder.encode(doc))
        FileHandle.standardOutput.write(Data("\n".utf8))
        if failed { throw ExitCode(1) }
    }
}
