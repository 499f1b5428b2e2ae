import Foundation

/// Locates `<repo root>/../shared/testdata` from this file's path.
enum TestData {
    /// The repository root (two levels above this file's folder).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `<repo root>/../shared/testdata`.
    static let root: URL = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")

    /// True when the shared test data is present.
    static let available: Bool = FileManager.default.fileExists(atPath: root.appendingPathComponent("exif").path)

    /// Files directly under `testdata/<folder>` (recursively), sorted, relative to `testdata`.
    static func files(under folder: String, where keep: (String) -> Bool = { _ in true }) -> [String] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { return [] }
        var out: [String] = []
        while let rel = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = base.appendingPathComponent(rel).path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue, keep(rel) {
                out.append(folder + "/" + rel)
            }
        }
        return out.sorted()
    }

    /// Every JPEG under `exif/` that has an exiftool JSON beside it.
    static let exifJPEGs: [String] = files(under: "exif") { rel in
        let lower = rel.lowercased()
        return (lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg"))
            && FileManager.default.fileExists(atPath: root.appendingPathComponent("exif/" + rel + ".exiftool.json").path)
    }

    /// Every HEIC/HEIF/AVIF under `phone/heic` and `phone/avif` with an exiftool JSON beside it.
    static let phoneHEIFs: [String] = ["phone/heic", "phone/avif"].flatMap { folder in
        files(under: folder) { rel in
            !rel.hasSuffix(".json")
                && FileManager.default.fileExists(atPath: root.appendingPathComponent(folder + "/" + rel + ".exiftool.json").path)
        }
    }

    /// Every file under `corrupt/`.
    static let corruptFiles: [String] = files(under: "corrupt")

    /// The bytes of `testdata/<relative>`.
    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relative)))
    }
}
