import CPNG
import CTurboJPEG
import Foundation

@testable import FaceKit

/// Locations and loaders shared by the CNN (detector/descriptor) tests.
enum CNNTestData {
    /// The repository root, from this file's path.
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// `<repo>/../shared/testdata`.
    static let testdata = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    /// `<repo>/models`.
    static let models = repoRoot.appendingPathComponent("models")
    static let detectorPath = models.appendingPathComponent("mmod_human_face_detector.dat").path
    static let resnetPath = models.appendingPathComponent("dlib_face_recognition_resnet_model_v1.dat").path
    static let referencePath = testdata.appendingPathComponent("faces/dlib_reference_turbo.json").path

    static var modelsAvailable: Bool {
        FileManager.default.fileExists(atPath: detectorPath) && FileManager.default.fileExists(atPath: resnetPath)
    }
    static var available: Bool { modelsAvailable && FileManager.default.fileExists(atPath: referencePath) }

    /// Decodes a PNG to 8-bit RGB with libpng's simplified API (alpha dropped, as dlib's loader does
    /// for these chips, which have none).
    static func loadPNG(_ path: String) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else { throw CNNTestError("cannot open PNG \(path)") }
        image.format = UInt32(PNG_FORMAT_RGB)
        let w = Int(image.width)
        let h = Int(image.height)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        let ok = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, Int32(w * 3), nil) }
        guard ok != 0 else {
            png_image_free(&image)
            throw CNNTestError("cannot decode PNG \(path)")
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// Decodes a JPEG with TurboJPEG to RGB, default flags (ISLOW IDCT, fancy upsampling) as the reference used.
    static func loadJPEG(_ path: String) throws -> RGBImage {
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        guard let handle = tjInitDecompress() else { throw CNNTestError("tjInitDecompress failed") }
        defer { tjDestroy(handle) }
        var w: Int32 = 0
        var h: Int32 = 0
        var sub: Int32 = 0
        var cs: Int32 = 0
        guard tjDecompressHeader3(handle, data, UInt(data.count), &w, &h, &sub, &cs) == 0 else {
            throw CNNTestError("bad JPEG header \(path)")
        }
        var pixels = [UInt8](repeating: 0, count: Int(w) * Int(h) * 3)
        guard tjDecompress2(handle, data, UInt(data.count), &pixels, w, 0, h, Int32(TJPF_RGB.rawValue), 0) == 0 else {
            throw CNNTestError("cannot decode JPEG \(path)")
        }
        return RGBImage(width: Int(w), height: Int(h), pixels: pixels)
    }

    static func loadImage(_ path: String) throws -> RGBImage {
        path.lowercased().hasSuffix(".png") ? try loadPNG(path) : try loadJPEG(path)
    }

    /// One dlib detection from the reference JSON.
    struct Detection {
        var rect: FaceRect
        var confidence: Double
        var descriptor: [Double]
        /// Path of dlib's own chip for this detection, relative to `faces/` (only in `dlib_reference.json`).
        var chip: String?
    }

    /// A reference JSON (`dlib_reference_turbo.json` by default): per image path, per upsample ("0", "1"), the CNN detections.
    static func reference(_ name: String = "dlib_reference_turbo.json") throws -> [String: (orientation: Int, cnn: [String: [Detection]])] {
        let url = testdata.appendingPathComponent("faces").appendingPathComponent(name)
        guard let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
            let images = json["images"] as? [[String: Any]]
        else { throw CNNTestError("unexpected JSON in \(name)") }
        var out: [String: (Int, [String: [Detection]])] = [:]
        for entry in images {
            guard let path = entry["path"] as? String else { continue }
            var cnn: [String: [Detection]] = [:]
            for (up, list) in (entry["cnn"] as? [String: Any]) ?? [:] {
                // Entries dlib skipped (e.g. too large to upsample) are objects, not lists.
                guard let list = list as? [[String: Any]] else { continue }
                cnn[up] = list.compactMap { d in
                    guard let r = d["rect"] as? [Int], r.count == 4, let conf = d["confidence"] as? Double else { return nil }
                    return Detection(
                        rect: FaceRect(left: r[0], top: r[1], right: r[2], bottom: r[3]),
                        confidence: conf,
                        descriptor: (d["descriptor"] as? [Double]) ?? [],
                        chip: d["chip"] as? String)
                }
            }
            out[path] = ((entry["exif_orientation"] as? Int) ?? 1, cnn)
        }
        return out
    }

    static func distance(_ a: [Float], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<min(a.count, b.count) {
            let d = Double(a[i]) - b[i]
            s += d * d
        }
        return s.squareRoot()
    }
}

struct CNNTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
