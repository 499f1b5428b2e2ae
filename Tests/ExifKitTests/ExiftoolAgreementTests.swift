import Foundation
import Testing

@testable import ExifKit

/// Compares `imagicon exif`'s record (the same `jsonString()` the CLI prints, parsed back)
/// with the stored `exiftool -n` output for every camera JPEG under `testdata/exif/`.
@Suite("ExifKit agrees with exiftool -n", .enabled(if: TestData.available, "needs ../shared/testdata"))
struct ExiftoolAgreementTests {
    @Test("every field agrees with exiftool", arguments: TestData.exifJPEGs)
    func agrees(file: String) throws {
        let metadata = try ExifReader.metadata(from: TestData.bytes(file))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(metadata.jsonString().utf8)) as? [String: Any])
        let reference = try ExiftoolReference(image: file)
        for field in ExiftoolReference.fields {
            let ours = Self.lookup(json, field.name).map { ExiftoolReference.convert($0, numeric: field.numeric) }
            let theirs = reference.value(of: field)
            let alternates = reference.alternates(of: field)
            let problem = Self.disagreement(ours: ours, theirs: theirs, alternates: alternates, numeric: field.numeric)
            #expect(problem == nil, "\(file)|\(field.name): \(problem ?? "")")
        }
    }

    @Test("every field of every phone HEIC/HEIF/AVIF agrees with exiftool", arguments: TestData.phoneHEIFs)
    func heifAgrees(file: String) throws {
        try agrees(file: file)
    }

    @Test("the test corpus is the full exif/ set")
    func corpusSize() {
        #expect(TestData.exifJPEGs.count >= 91)
    }

    /// nil when `ours` and `theirs` agree, else a one-line description of the difference.
    static func disagreement(ours: ExiftoolReference.Value?, theirs: ExiftoolReference.Value?, alternates: [String], numeric: Bool)
        -> String?
    {
        switch (ours, theirs) {
        case (nil, nil):
            return alternates.isEmpty ? nil : "absent in ours, exiftool reports it from \(alternates)"
        case (let o?, nil):
            return "ours \(o), exiftool has none"
        case (nil, let t?):
            return "ours absent, exiftool \(t)"
        case (.number(let a)?, .number(let b)?):
            let scale = max(abs(a), abs(b))
            return abs(a - b) <= 1e-4 * scale ? nil : "ours \(a), exiftool \(b)"
        case (let o?, let t?):
            if case .text(let a) = o, case .text(let b) = t, ExiftoolReference.trim(a) == ExiftoolReference.trim(b) { return nil }
            return "ours \(o), exiftool \(t)"
        }
    }

    /// The value at a dotted path in our JSON.
    static func lookup(_ json: [String: Any], _ path: String) -> Any? {
        var node: Any? = json
        for part in path.split(separator: ".") {
            node = (node as? [String: Any])?[String(part)]
        }
        return node
    }
}
