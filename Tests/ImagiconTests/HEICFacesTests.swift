import Foundation
import ImageKit
import Testing

@testable import Imagicon

/// The photo and the tools of the faces-on-HEIC test.
enum HEICFaceFixtures {
    /// Two faces in a 2280x1588 photo tagged with a Display P3 profile. The phone set's HEICs
    /// show no people, so the test encodes this one itself.
    static let photo: URL? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/testdata/faces/group/couple.jpg")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    /// libheif's encoder and reference decoder (libheif-examples).
    static let tools: (encode: String, decode: String)? = {
        let dirs = ["/usr/bin", "/usr/local/bin"]
        guard let enc = dirs.map({ "\($0)/heif-enc" }).first(where: FileManager.default.isExecutableFile(atPath:)),
            let dec = dirs.map({ "\($0)/heif-convert" }).first(where: FileManager.default.isExecutableFile(atPath:))
        else { return nil }
        return (enc, dec)
    }()

    static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// Faces found in a HEIC are the faces found in the PNG of libheif's reference decode of it
/// (`heif-convert`, which carries the HEIC's ICC profile over): decoding, colour management and
/// the face pipeline agree whichever container the pixels come in.
@Suite(
    "faces on a HEIC equal faces on its reference decode",
    .enabled(if: SearchFixtures.modelsDirectory != nil, "needs the dlib models (scripts/fetch-models)"),
    .enabled(if: HEICFaceFixtures.photo != nil, "needs ../shared/testdata/faces"),
    .enabled(if: HEICFaceFixtures.tools != nil, "needs heif-enc and heif-convert (libheif-examples)"))
struct HEICFacesTests {
    @Test("same boxes, descriptors within 0.01")
    func sameFaces() throws {
        let tools = HEICFaceFixtures.tools!
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("heic-faces-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let heicURL = dir.appendingPathComponent("couple.heic")
        let pngURL = dir.appendingPathComponent("couple.png")
        // x265's fastest preset: ~1 s of CPU (its default takes over a minute here).
        let encoded = try HEICFaceFixtures.run(
            tools.encode, ["-q", "80", "-p", "preset=ultrafast", HEICFaceFixtures.photo!.path, "-o", heicURL.path])
        try #require(encoded == 0, "heif-enc failed")
        try #require(try HEICFaceFixtures.run(tools.decode, [heicURL.path, pngURL.path]) == 0, "heif-convert failed")
        let heic = try [UInt8](Data(contentsOf: heicURL))
        let png = try [UInt8](Data(contentsOf: pngURL))

        let fromHEIC = try ImageDecoder.decode(heic)
        // heif-convert's pixels are already upright (libheif applied irot); its PNG may still carry
        // the EXIF orientation, which must not be applied a second time.
        let fromPNG = try ImageDecoder.decode(png, options: DecodeOptions(applyOrientation: false))
        #expect(fromHEIC.header.format == .heic && fromPNG.header.format == .png)
        guard case .icc? = fromHEIC.header.colorProfile, case .icc? = fromPNG.header.colorProfile else {
            Issue.record("both carry the photo's Display P3 profile, so both are colour managed")
            return
        }
        #expect((fromHEIC.pixels.width, fromHEIC.pixels.height) == (fromPNG.pixels.width, fromPNG.pixels.height))

        let models = try FaceModels(directory: SearchFixtures.modelsDirectory!)
        var timings: [String: Double] = [:]
        let heicFaces = try models.faces(in: fromHEIC.pixels, timings: &timings).faces
        let pngFaces = try models.faces(in: fromPNG.pixels, timings: &timings).faces
        #expect(heicFaces.count >= 2, "the photo shows two people")
        #expect(heicFaces.count == pngFaces.count)
        for (a, b) in zip(heicFaces, pngFaces) {
            #expect(a.box == b.box)
            let distance = zip(a.descriptor, b.descriptor).map { Double($0) - Double($1) }.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(distance < 0.01, "descriptor distance \(distance)")
        }
    }
}
