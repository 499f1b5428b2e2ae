import CPNG
import CTurboJPEG
import CWebP

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// How to encode.
public struct EncodeOptions: Sendable, Equatable {
    /// The output format.
    public var format: ImageFormat
    /// JPEG and lossy WebP quality, 1...100.
    public var quality: Int
    /// JPEG only: progressive (multi-scan) instead of baseline.
    public var progressive: Bool
    /// WebP only: lossless instead of lossy.
    public var lossless: Bool

    /// Options; quality 85 suits thumbnails.
    public init(format: ImageFormat, quality: Int = 85, progressive: Bool = false, lossless: Bool = false) {
        self.format = format
        self.quality = quality
        self.progressive = progressive
        self.lossless = lossless
    }
}

/// Encodes `PixelBuffer`s to JPEG (TurboJPEG, 4:2:0 with fitted chroma, optimised Huffman tables), PNG (libpng)
/// or WebP (libwebp).
public enum ImageEncoder {
    /// Encodes `image`. JPEG has no alpha: an RGBA image is composited onto white first.
    public static func encode(_ image: PixelBuffer, options: EncodeOptions) throws -> [UInt8] {
        guard (1...100).contains(options.quality) else {
            throw ImageError(.invalidArgument, "Quality must be 1...100 (got \(options.quality)).")
        }
        switch options.format {
        case .jpeg: return try encodeJPEG(image.removingAlpha(), quality: options.quality, progressive: options.progressive)
        case .png: return try encodePNG(image)
        case .webp: return try encodeWebP(image, quality: options.quality, lossless: options.lossless)
        case .heic, .avif:
            throw ImageError(.invalidArgument, "\(options.format.rawValue.uppercased()) output is not supported (JPEG, PNG or WebP).")
        }
    }

    /// TurboJPEG 2.x has no per-call flag for optimised Huffman tables; it reads `TJ_OPTIMIZE`
    /// from the environment on every compression. Set once (unless the process set it already).
    private static let optimizeHuffmanTables: Void = { setenv("TJ_OPTIMIZE", "1", 0) }()

    private static func encodeJPEG(_ image: PixelBuffer, quality: Int, progressive: Bool) throws -> [UInt8] {
        _ = optimizeHuffmanTables
        let handle = try TurboJPEGHandle(compress: true)
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        defer { if let output { tjFree(output) } }
        // TurboJPEG 2.x compresses with the fast, inexact DCT below quality 96 unless asked for
        // the accurate one, which libjpeg, libvips and Pillow use (measurably higher PSNR).
        let flags = TJFLAG_ACCURATEDCT | (progressive ? TJFLAG_PROGRESSIVE : 0)
        // The 4:2:0 planes are made here, not by libjpeg: see YCbCrPlanes for why.
        let planes = YCbCrPlanes(rgb: image)
        let sub = Int32(TJSAMP_420.rawValue)
        let w = Int32(image.width)
        let h = Int32(image.height)
        guard Int(tjPlaneWidth(0, w, sub)) == planes.lumaWidth, Int(tjPlaneHeight(0, h, sub)) == planes.lumaHeight,
            Int(tjPlaneWidth(1, w, sub)) == planes.chromaWidth, Int(tjPlaneHeight(1, h, sub)) == planes.chromaHeight
        else {
            throw ImageError(.encodingFailed, "JPEG encoding failed: unexpected 4:2:0 plane sizes for \(image.width)x\(image.height).")
        }
        var strides: [Int32] = [Int32(planes.lumaWidth), Int32(planes.chromaWidth), Int32(planes.chromaWidth)]
        let status = planes.y.withUnsafeBufferPointer { y in
            planes.cb.withUnsafeBufferPointer { cb in
                planes.cr.withUnsafeBufferPointer { cr in
                    var sources: [UnsafePointer<UInt8>?] = [y.baseAddress, cb.baseAddress, cr.baseAddress]
                    return tjCompressFromYUVPlanes(handle.raw, &sources, w, &strides, h, sub, &output, &size, Int32(quality), flags)
                }
            }
        }
        guard status == 0, let output else { throw ImageError(.encodingFailed, "JPEG encoding failed: \(handle.message).") }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    private static func encodePNG(_ image: PixelBuffer) throws -> [UInt8] {
        let png = PNGImage()
        png.pointer.pointee.width = UInt32(image.width)
        png.pointer.pointee.height = UInt32(image.height)
        png.pointer.pointee.format = image.hasAlpha ? 0x03 : 0x02 // PNG_FORMAT_RGBA : PNG_FORMAT_RGB
        let stride = Int32(image.width * image.channels)
        return try image.pixels.withUnsafeBufferPointer { src -> [UInt8] in
            var size = 0
            guard png_image_write_to_memory(png.pointer, nil, &size, 0, src.baseAddress, stride, nil) != 0, size > 0 else {
                throw ImageError(.encodingFailed, "PNG encoding failed: \(png.message).")
            }
            var out = [UInt8](repeating: 0, count: size)
            let ok = out.withUnsafeMutableBufferPointer { dst in
                png_image_write_to_memory(png.pointer, dst.baseAddress, &size, 0, src.baseAddress, stride, nil)
            }
            guard ok != 0 else { throw ImageError(.encodingFailed, "PNG encoding failed: \(png.message).") }
            return Array(out.prefix(size))
        }
    }

    private static func encodeWebP(_ image: PixelBuffer, quality: Int, lossless: Bool) throws -> [UInt8] {
        guard image.width <= 16383, image.height <= 16383 else {
            throw ImageError(.invalidArgument, "WebP images are at most 16383x16383.")
        }
        var config = WebPConfig()
        var picture = WebPPicture()
        guard WebPConfigInit(&config) != 0, WebPPictureInit(&picture) != 0 else {
            throw ImageError(.encodingFailed, "WebP encoding failed: libwebp version mismatch.")
        }
        config.quality = Float(quality)
        config.lossless = lossless ? 1 : 0
        // Lossy WebP is 4:2:0 like our JPEGs; libwebp's "sharp YUV" fits the chroma the same way
        // YCbCrPlanes does. It needs the picture kept as ARGB until WebPEncode converts it.
        config.use_sharp_yuv = lossless ? 0 : 1
        picture.use_argb = 1
        picture.width = Int32(image.width)
        picture.height = Int32(image.height)
        defer { WebPPictureFree(&picture) }
        let stride = Int32(image.width * image.channels)
        let imported = image.pixels.withUnsafeBufferPointer { src in
            image.hasAlpha
                ? WebPPictureImportRGBA(&picture, src.baseAddress, stride) : WebPPictureImportRGB(&picture, src.baseAddress, stride)
        }
        guard imported != 0 else { throw ImageError(.encodingFailed, "WebP encoding failed: out of memory.") }
        var writer = WebPMemoryWriter()
        WebPMemoryWriterInit(&writer)
        defer { WebPMemoryWriterClear(&writer) }
        let ok = withUnsafeMutablePointer(to: &writer) { w -> Int32 in
            picture.writer = WebPMemoryWrite
            picture.custom_ptr = UnsafeMutableRawPointer(w)
            return WebPEncode(&config, &picture)
        }
        guard ok != 0, writer.size > 0, let mem = writer.mem else {
            throw ImageError(.encodingFailed, "WebP encoding failed (libwebp error \(picture.error_code.rawValue)).")
        }
        return Array(UnsafeBufferPointer(start: mem, count: writer.size))
    }
}
