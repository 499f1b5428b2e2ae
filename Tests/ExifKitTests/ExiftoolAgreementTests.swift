import Foundation
import Testing
@testable import ExifKit

/// Known, justified disagreements with exiftool, keyed `"<file>|<field>"`. Each one is a value
/// exiftool takes from a source outside standard EXIF that we deliberately do not read; the
/// test fails if an entry stops being needed, so the list cannot go stale.
let exiftoolAllowList: [String: String] = [
    // ISO only in a MakerNote (or exiftool's Composite:ISO computed from Canon MakerNote
    // fields). We read EXIF 0x8827 only, as exiftool's ExifIFD:ISO does; MakerNote ISO
    // encodings are vendor-specific (Nikon "0 200", Canon BaseISO*AutoISO).
    "cameras/Canon_DIGITAL_IXUS_400.jpg|iso": "Composite:ISO from Canon MakerNote",
    "cameras/exiforg_canon-ixus.jpg|iso": "Composite:ISO from Canon MakerNote",
    "edge/11-tests.jpg|iso": "Composite:ISO from Canon MakerNote",
    "edge/22-canon_tags.jpg|iso": "Composite:ISO from Canon MakerNote",
    "cameras/exiv2_exiv2-nikon-d70.jpg|iso": "Nikon:ISO MakerNote",
    "makernotes_tiny/exiftool_NikonD70.jpg|iso": "Nikon:ISO MakerNote",
    "makernotes_tiny/exiftool_Casio.jpg|iso": "Casio:ISO MakerNote",
    "makernotes_tiny/exiftool_Kodak.jpg|iso": "Kodak:ISO MakerNote",
    // Lens model only in the Canon MakerNote (no EXIF 0xA434).
    "cameras/exiv2_exiv2-bug876.jpg|lensModel": "Canon:LensModel MakerNote",
    "makernotes_tiny/exiftool_Canon1DmkIII.jpg|lensModel": "Canon:LensModel MakerNote",
    // This JPEG carries Canon CRW (CIFF) metadata in APP0 and no EXIF at all.
    "cameras/exiforg_sony-powershota5.jpg|make": "CIFF only, no EXIF",
    "cameras/exiforg_sony-powershota5.jpg|model": "CIFF only, no EXIF",
    "cameras/exiforg_sony-powershota5.jpg|dateTimeOriginal": "CIFF only, no EXIF",
    "cameras/exiforg_sony-powershota5.jpg|focalLength": "CIFF only, no EXIF",
    // IFD0 declares 32 entries but the APP1 segment ends after a few: exiftool rejects the
    // whole IFD ("Bad IFD0 directory"); we keep the entries that lie inside the block
    // (Orientation = 1), as "whatever can be read safely" asks.
    "edge/hopper_bad_exif.jpg|orientation": "exiftool drops a truncated IFD0 entirely",
]

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
            let key = "\(file.split(separator: "/").suffix(2).joined(separator: "/"))|\(field.name)"
            if let reason = exiftoolAllowList[key] {
                #expect(problem != nil, "allow-list entry \(key) (\(reason)) is no longer needed")
            } else {
                #expect(problem == nil, "\(key): \(problem ?? "")")
            }
        }
    }

    @Test("the test corpus is the full exif/ set")
    func corpusSize() {
        #expect(TestData.exifJPEGs.count >= 91)
    }

    /// nil when `ours` and `theirs` agree, else a one-line description of the difference.
    static func disagreement(ours: ExiftoolReference.Value?, theirs: ExiftoolReference.Value?, alternates: [String], numeric: Bool) -> String? {
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
