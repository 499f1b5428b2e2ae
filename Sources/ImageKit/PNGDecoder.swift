import CPNG

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Owns one libpng simplified-API `png_image` at a stable address (libpng keeps a pointer to
/// it as its error context) and frees libpng's state on release.
final class PNGImage {
    let pointer: UnsafeMutablePointer<png_image>

    init() {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: png_image())
        pointer.pointee.version = UInt32(PNG_IMAGE_VERSION)
    }

    deinit {
        png_image_free(pointer)
        pointer.deallocate()
    }

    /// libpng's message for the last warning or error.
    var message: String {
        withUnsafeBytes(of: pointer.pointee.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// Decodes PNG through libpng's simplified API: every colour type and bit depth, palette,
/// tRNS, 16-bit (scaled with rounding), Adam7 and gAMA (converted to sRGB) — to RGB, or RGBA
/// when the file has alpha or transparency. No setjmp in our code: libpng reports errors
/// through the image's status.
enum PNGDecoder {
    static func decode(_ bytes: [UInt8], header: ImageHeader) throws -> PixelBuffer {
        let image = PNGImage()
        return try bytes.withUnsafeBufferPointer { src -> PixelBuffer in
            guard png_image_begin_read_from_memory(image.pointer, src.baseAddress, src.count) != 0 else {
                throw failure(image.message)
            }
            let img = image.pointer
            guard Int(img.pointee.width) == header.width, Int(img.pointee.height) == header.height else {
                throw ImageError(.corrupt, "The PNG header is inconsistent.")
            }
            let alpha = img.pointee.format & 0x01 != 0 // PNG_FORMAT_FLAG_ALPHA
            let channels = alpha ? 4 : 3
            if alpha, img.pointee.format & 0x04 != 0 { // PNG_FORMAT_FLAG_LINEAR: 16-bit with alpha
                return try decodeSixteenBitAlpha(img, header: header) { image.message }
            }
            img.pointee.format = alpha ? 0x03 : 0x02 // PNG_FORMAT_RGBA : PNG_FORMAT_RGB
            // 16-bit files without gAMA/sRGB are sRGB-encoded in practice (and to every other decoder).
            img.pointee.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
            let rowBytes = header.width * channels
            var pixels = [UInt8](repeating: 0, count: rowBytes * header.height)
            let ok = pixels.withUnsafeMutableBufferPointer { dst in
                png_image_finish_read(img, nil, dst.baseAddress, Int32(rowBytes), nil)
            }
            guard ok != 0, img.pointee.warning_or_error & 0x02 == 0 else { throw failure(image.message) }
            return PixelBuffer(uncheckedWidth: header.width, height: header.height, channels: channels, pixels: pixels)
        }
    }

    /// 16-bit images with alpha: libpng 1.6.39's own 16-to-8-bit alpha path mis-decodes Adam7
    /// images (PngSuite basi6a16), so read 16-bit linear premultiplied RGBA and encode to 8-bit
    /// sRGB with straight alpha here.
    private static func decodeSixteenBitAlpha(
        _ img: UnsafeMutablePointer<png_image>, header: ImageHeader,
        message: () -> String
    ) throws -> PixelBuffer {
        img.pointee.format = 0x07 // PNG_FORMAT_LINEAR_RGB_ALPHA
        img.pointee.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        let count = header.width * header.height
        var linear = [UInt16](repeating: 0, count: count * 4)
        let ok = linear.withUnsafeMutableBufferPointer { dst in
            png_image_finish_read(img, nil, dst.baseAddress, Int32(header.width * 4), nil)
        }
        guard ok != 0, img.pointee.warning_or_error & 0x02 == 0 else { throw failure(message()) }
        let encode = SRGB.encodeTable16
        var pixels = [UInt8](repeating: 0, count: count * 4)
        linear.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    let a = UInt32(src[4 * i + 3])
                    dst[4 * i + 3] = UInt8((a * 255 + 32767) / 65535)
                    guard a > 0 else { continue }
                    for c in 0..<3 {
                        let straight = min(65535, (UInt32(src[4 * i + c]) * 65535 + a / 2) / a)
                        dst[4 * i + c] = encode[Int(straight)]
                    }
                }
            }
        }
        return PixelBuffer(uncheckedWidth: header.width, height: header.height, channels: 4, pixels: pixels)
    }

    private static func failure(_ message: String) -> ImageError {
        let lower = message.lowercased()
        let truncated =
            lower.contains("end of data") || lower.contains("not enough") || lower.contains("truncated")
            || lower.contains("unexpected end")
        return ImageError(truncated ? .truncated : .corrupt, "Could not decode the PNG: \(message.isEmpty ? "unknown error" : message).")
    }
}

/// The sRGB transfer curve.
enum SRGB {
    /// 16-bit linear light to 8-bit sRGB, rounded.
    static let encodeTable16: [UInt8] = (0...65535).map { v in
        let l = Double(v) / 65535
        let e = l <= 0.0031308 ? 12.92 * l : 1.055 * pow(l, 1 / 2.4) - 0.055
        return UInt8((e * 255).rounded())
    }
}
