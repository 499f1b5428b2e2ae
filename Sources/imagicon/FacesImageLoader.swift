import CExif
import CPNG
import CTurboJPEG
import FaceKit
import Foundation

/// Decodes a JPEG or PNG file to upright RGB for the face commands: TurboJPEG with default
/// flags (ISLOW IDCT, fancy upsampling), libpng's simplified reader, then the EXIF
/// orientation applied, so coordinates refer to the displayed image.
///
/// A stop-gap until ImageKit's decoder is on main; it exists so `imagicon faces` and
/// `imagicon bench faces` can run on their own.
enum FacesImageLoader {
    /// Why an input could not be decoded.
    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    /// Refuse images above this many pixels (header check before decoding).
    static let maxPixels = 100_000_000

    static func load(path: String) throws -> RGBImage {
        let data: [UInt8]
        do { data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw LoadError(description: "cannot read \(path): \(error.localizedDescription)")
        }
        if data.starts(with: [0xFF, 0xD8]) {
            let image = try decodeJPEG(data, path: path)
            return orient(image, exifOrientation(data))
        }
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try decodePNG(data, path: path) }
        throw LoadError(description: "\(path) is neither JPEG nor PNG")
    }

    static func decodeJPEG(_ data: [UInt8], path: String) throws -> RGBImage {
        guard let handle = tjInitDecompress() else { throw LoadError(description: "TurboJPEG could not start") }
        defer { tjDestroy(handle) }
        var w: Int32 = 0, h: Int32 = 0, sub: Int32 = 0, cs: Int32 = 0
        guard tjDecompressHeader3(handle, data, UInt(data.count), &w, &h, &sub, &cs) == 0, w > 0, h > 0 else {
            throw LoadError(description: "\(path): not a readable JPEG")
        }
        guard Int(w) * Int(h) <= maxPixels else { throw LoadError(description: "\(path): \(w)x\(h) exceeds \(maxPixels) pixels") }
        var pixels = [UInt8](repeating: 0, count: Int(w) * Int(h) * 3)
        guard tjDecompress2(handle, data, UInt(data.count), &pixels, w, 0, h, Int32(TJPF_RGB.rawValue), 0) == 0 else {
            throw LoadError(description: "\(path): JPEG decode failed")
        }
        return RGBImage(width: Int(w), height: Int(h), pixels: pixels)
    }

    static func decodePNG(_ data: [UInt8], path: String) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard data.withUnsafeBytes({ png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }) != 0 else {
            throw LoadError(description: "\(path): not a readable PNG")
        }
        defer { png_image_free(&image) }
        let w = Int(image.width), h = Int(image.height)
        guard w > 0, h > 0, w * h <= maxPixels else { throw LoadError(description: "\(path): \(w)x\(h) is out of range") }
        image.format = UInt32(PNG_FORMAT_RGB)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        let ok = pixels.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { _ in png_image_finish_read(&image, nil, out.baseAddress, Int32(w * 3), nil) }
        }
        guard ok != 0 else { throw LoadError(description: "\(path): PNG decode failed") }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// The EXIF Orientation tag (1...8), or 1 when absent or invalid.
    static func exifOrientation(_ data: [UInt8]) -> Int {
        guard let exif = data.withUnsafeBufferPointer({ exif_data_new_from_data($0.baseAddress, UInt32(min($0.count, Int(UInt32.max)))) }) else { return 1 }
        defer { exif_data_unref(exif) }
        guard let ifd0 = exif.pointee.ifd.0, let entry = exif_content_get_entry(ifd0, EXIF_TAG_ORIENTATION),
              entry.pointee.format == EXIF_FORMAT_SHORT, entry.pointee.components >= 1, let bytes = entry.pointee.data else { return 1 }
        let value = Int(exif_get_short(bytes, exif_data_get_byte_order(exif)))
        return (1...8).contains(value) ? value : 1
    }

    /// Applies an EXIF orientation: the result is the image as it should be displayed.
    static func orient(_ image: RGBImage, _ orientation: Int) -> RGBImage {
        if orientation == 1 { return image }
        let W = image.width, H = image.height
        let swaps = orientation >= 5
        let ow = swaps ? H : W, oh = swaps ? W : H
        var out = RGBImage(width: ow, height: oh)
        image.pixels.withUnsafeBufferPointer { s in
            out.pixels.withUnsafeMutableBufferPointer { d in
                for y in 0..<oh {
                    for x in 0..<ow {
                        let (sx, sy): (Int, Int)
                        switch orientation {
                        case 2: (sx, sy) = (W - 1 - x, y)
                        case 3: (sx, sy) = (W - 1 - x, H - 1 - y)
                        case 4: (sx, sy) = (x, H - 1 - y)
                        case 5: (sx, sy) = (y, x)
                        case 6: (sx, sy) = (y, H - 1 - x)
                        case 7: (sx, sy) = (W - 1 - y, H - 1 - x)
                        default: (sx, sy) = (W - 1 - y, x)
                        }
                        let si = (sy * W + sx) * 3, di = (y * ow + x) * 3
                        d[di] = s[si]; d[di + 1] = s[si + 1]; d[di + 2] = s[si + 2]
                    }
                }
            }
        }
        return out
    }
}
