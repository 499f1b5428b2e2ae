import ArgumentParser
import Foundation
import ImageKit

/// `imagicon thumbnail FILE --size WxH[c] [--size ...] [--format jpeg|png|webp] [--quality Q] --out DIR`:
/// writes one file per size and prints `{"thumbnails":[{"path","width","height","bytes"}]}`.
struct ThumbnailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thumbnail",
        abstract: "Make thumbnails of one image (all sizes from a single decode).")

    @Argument(help: "The image (JPEG, PNG, WebP, HEIC or AVIF; the format is read from the bytes).")
    var file: String

    @Option(name: .customLong("size"), help: "WxH fits inside (never enlarges); WxHc crops to exactly WxH. Repeatable.")
    var sizes: [String] = []

    @Option(help: "jpeg, png or webp. Default: JPEG, or PNG when the image has transparency.")
    var format: String?

    @Option(help: "JPEG/WebP quality, 1-100.")
    var quality: Int = 85

    @Option(help: "Output folder (created if missing).")
    var out: String

    func run() throws {
        do {
            try make()
        } catch let error as ImageError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(1)
        } catch let error as ValidationError {
            // One line, without the usage text ArgumentParser would add.
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func make() throws {
        guard !sizes.isEmpty else { throw ValidationError("Give at least one --size WxH or WxHc.") }
        let parsed = try sizes.map { text -> ThumbnailSize in
            guard let size = ThumbnailSize(text) else {
                throw ValidationError("Bad --size '\(text)': expected WxH or WxHc, sides 1-\(ThumbnailSize.maxSide).")
            }
            return size
        }
        let explicitFormat = try format.map { name -> ImageFormat in
            guard let f = ImageFormat(rawValue: name.lowercased() == "jpg" ? "jpeg" : name.lowercased()), !f.isHEIF else {
                throw ValidationError("Bad --format '\(name)': expected jpeg, png or webp.")
            }
            return f
        }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1-100.") }
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) } catch {
            throw ValidationError("Cannot read '\(file)': \(error.localizedDescription)")
        }
        let set = try Thumbnailer.make(from: bytes, sizes: parsed, maxPixels: Self.maxPixels())
        let transparent = set.thumbnails.contains { $0.image.hasTransparency }
        let outFormat = explicitFormat ?? (transparent ? .png : .jpeg)
        let outDir = URL(fileURLWithPath: out)
        do { try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true) } catch {
            throw ValidationError("Cannot create the output folder '\(out)'.")
        }
        let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var entries: [Entry] = []
        for t in set.thumbnails {
            let image = transparent ? t.image : t.image.removingAlpha()
            let data = try ImageEncoder.encode(image, options: EncodeOptions(format: outFormat, quality: quality))
            let path = outDir.appendingPathComponent("\(stem)_\(t.size).\(outFormat.fileExtension)")
            do { try Data(data).write(to: path) } catch { throw ValidationError("Cannot write '\(path.path)'.") }
            entries.append(Entry(path: path.path, width: image.width, height: image.height, bytes: data.count))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(["thumbnails": entries]), as: UTF8.self))
    }

    /// `IMAGICON_MAX_PIXELS`, or the default.
    static func maxPixels() throws -> Int {
        guard let text = ProcessInfo.processInfo.environment["IMAGICON_MAX_PIXELS"], !text.isEmpty else {
            return ImageHeader.defaultMaxPixels
        }
        guard let value = Int(text), value > 0 else { throw ValidationError("IMAGICON_MAX_PIXELS must be a positive integer.") }
        return value
    }

    private struct Entry: Encodable {
        let path: String
        let width: Int
        let height: Int
        let bytes: Int
    }
}
