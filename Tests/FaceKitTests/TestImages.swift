import CPNG
import CTurboJPEG
import FaceKit
import Foundation
import Testing

/// Locates `../shared/testdata` next to the repository (found from this file's path).
enum TestData {
    /// Repository root: three levels above this file (Tests/FaceKitTests/TestImages.swift).
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// `<repo>/../shared/testdata`.
    static let root = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    /// Whether the face references are present.
    static var available: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("faces/dlib_reference_turbo.json").path)
    }
    /// The 5-point model in `<repo>/models`.
    static let shapeModelPath = repoRoot.appendingPathComponent("models/shape_predictor_5_face_landmarks.dat").path
    /// Whether the model file is present.
    static var modelAvailable: Bool { FileManager.default.fileExists(atPath: shapeModelPath) }
}

/// The parts of dlib_reference*.json the FaceKit tests read.
struct DlibReference: Decodable {
    struct Face: Decodable {
        let rect: [Int]
        let landmarks5: [[Int]]
        let chip: String?
        let chip_sha256_rgb: String?
        var faceRect: FaceRect { FaceRect(left: rect[0], top: rect[1], right: rect[2], bottom: rect[3]) }
        var points: [FacePoint] { landmarks5.map { FacePoint(x: Double($0[0]), y: Double($0[1])) } }
    }
    struct Image: Decodable {
        let path: String
        let format: String
        let exif_orientation: Int?
        let orientation_applied: Bool?
        let cnn: [String: FaceList]?
        /// dlib's HOG detections (other rectangles, same landmark model).
        let hog: FaceList?

        /// The detections for upsample `key` ("0" or "1"); empty when dlib skipped it.
        func faces(_ key: String) -> [Face] { cnn?[key]?.faces ?? [] }
    }
    /// A list of faces, or dlib's `{"skipped": reason}` marker (decoded as no faces).
    struct FaceList: Decodable {
        let faces: [Face]
        init(from decoder: Decoder) throws {
            faces = (try? decoder.singleValueContainer().decode([Face].self)) ?? []
        }
    }
    let images: [Image]

    static func load(_ name: String) throws -> DlibReference {
        let data = try Data(contentsOf: TestData.root.appendingPathComponent("faces/\(name)"))
        return try JSONDecoder().decode(DlibReference.self, from: data)
    }
}

/// Test-only decoders matching the reference: TurboJPEG (ISLOW, fancy upsampling) and libpng.
enum TestDecode {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Decodes a JPEG or PNG file to RGB.
    static func image(at url: URL) throws -> RGBImage {
        let bytes = [UInt8](try Data(contentsOf: url))
        if bytes.starts(with: [0xFF, 0xD8]) { return try jpeg(bytes) }
        return try png(bytes)
    }

    /// TurboJPEG `tjDecompress2` to `TJPF_RGB` with default flags.
    static func jpeg(_ bytes: [UInt8]) throws -> RGBImage {
        guard let handle = tjInitDecompress() else { throw Failure(description: "tjInitDecompress failed") }
        defer { tjDestroy(handle) }
        var width: Int32 = 0
        var height: Int32 = 0
        var subsamp: Int32 = 0
        var colorspace: Int32 = 0
        guard tjDecompressHeader3(handle, bytes, UInt(bytes.count), &width, &height, &subsamp, &colorspace) == 0 else {
            throw Failure(description: "JPEG header: \(String(cString: tjGetErrorStr2(handle)))")
        }
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * 3)
        let rc = pixels.withUnsafeMutableBufferPointer { out in
            tjDecompress2(handle, bytes, UInt(bytes.count), out.baseAddress, width, 0, height, Int32(TJPF_RGB.rawValue), 0)
        }
        guard rc == 0 else { throw Failure(description: "JPEG decode: \(String(cString: tjGetErrorStr2(handle)))") }
        return RGBImage(width: Int(width), height: Int(height), pixels: pixels)
    }

    /// libpng's simplified API to 8-bit RGB (gray is replicated; alpha dropped — the test PNGs are opaque).
    static func png(_ bytes: [UInt8]) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_memory(&image, bytes, bytes.count) != 0 else {
            throw Failure(description: "PNG header unreadable")
        }
        defer { png_image_free(&image) }
        image.format = UInt32(PNG_FORMAT_RGB)
        let width = Int(image.width)
        let height = Int(image.height)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let ok = pixels.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, nil, out.baseAddress, Int32(width * 3), nil)
        }
        guard ok != 0 else { throw Failure(description: "PNG decode failed") }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Applies an EXIF orientation (1-8) so the image is upright.
    static func oriented(_ image: RGBImage, _ orientation: Int) -> RGBImage {
        guard (2...8).contains(orientation) else { return image }
        let w = image.width
        let h = image.height
        let swaps = orientation >= 5
        let ow = swaps ? h : w
        let oh = swaps ? w : h
        var out = [UInt8](repeating: 0, count: ow * oh * 3)
        for y in 0..<oh {
            for x in 0..<ow {
                // Source pixel shown at (x, y) of the upright image.
                let (sx, sy): (Int, Int)
                switch orientation {
                case 2: (sx, sy) = (w - 1 - x, y)
                case 3: (sx, sy) = (w - 1 - x, h - 1 - y)
                case 4: (sx, sy) = (x, h - 1 - y)
                case 5: (sx, sy) = (y, x)
                case 6: (sx, sy) = (y, h - 1 - x)
                case 7: (sx, sy) = (w - 1 - y, h - 1 - x)
                default: (sx, sy) = (w - 1 - y, x)
                }
                let s = (sy * w + sx) * 3
                let d = (y * ow + x) * 3
                out[d] = image.pixels[s]
                out[d + 1] = image.pixels[s + 1]
                out[d + 2] = image.pixels[s + 2]
            }
        }
        return RGBImage(width: ow, height: oh, pixels: out)
    }

    /// Decodes a reference image upright, as the reference JSON describes it.
    static func reference(_ entry: DlibReference.Image) throws -> RGBImage {
        let decoded = try image(at: TestData.root.appendingPathComponent("faces/\(entry.path)"))
        return oriented(decoded, entry.exif_orientation ?? 1)
    }
}

/// The test decoder's EXIF orientation helper (the reference images are all orientation 1,
/// so this is its only check).
@Suite struct TestOrientationTests {
    /// A 3x2 image whose red channel numbers the pixels: a b c / d e f.
    let image = RGBImage(width: 3, height: 2, pixels: (0..<6).flatMap { [UInt8($0), 0, 0] })

    func reds(_ image: RGBImage) -> [UInt8] { stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0] } }

    @Test func appliesRotationsAndMirrors() {
        #expect(reds(TestDecode.oriented(image, 1)) == [0, 1, 2, 3, 4, 5])
        #expect(reds(TestDecode.oriented(image, 2)) == [2, 1, 0, 5, 4, 3])
        #expect(reds(TestDecode.oriented(image, 3)) == [5, 4, 3, 2, 1, 0])
        #expect(reds(TestDecode.oriented(image, 4)) == [3, 4, 5, 0, 1, 2])
        let cw = TestDecode.oriented(image, 6)
        #expect(cw.width == 2 && cw.height == 3 && reds(cw) == [3, 0, 4, 1, 5, 2])
        #expect(reds(TestDecode.oriented(image, 8)) == [2, 5, 1, 4, 0, 3])
        #expect(reds(TestDecode.oriented(image, 5)) == [0, 3, 1, 4, 2, 5])
        #expect(reds(TestDecode.oriented(image, 7)) == [5, 2, 4, 1, 3, 0])
    }
}
