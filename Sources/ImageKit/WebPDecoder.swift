import CWebP

/// Decodes still WebP (lossy or lossless) through libwebp into RGB, or RGBA when it has alpha.
enum WebPDecoder {
    static func decode(_ bytes: [UInt8], header: ImageHeader) throws -> PixelBuffer {
        var config = WebPDecoderConfig()
        guard WebPInitDecoderConfig(&config) != 0 else { throw ImageError(.corrupt, "libwebp version mismatch.") }
        let channels = header.hasAlpha ? 4 : 3
        let stride = header.width * channels
        var pixels = [UInt8](repeating: 0, count: stride * header.height)
        let status = bytes.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst -> VP8StatusCode in
                config.output.colorspace = header.hasAlpha ? MODE_RGBA : MODE_RGB
                config.output.is_external_memory = 1
                config.output.u.RGBA.rgba = dst.baseAddress
                config.output.u.RGBA.stride = Int32(stride)
                config.output.u.RGBA.size = dst.count
                return WebPDecode(src.baseAddress, src.count, &config)
            }
        }
        WebPFreeDecBuffer(&config.output)
        switch status {
        case VP8_STATUS_OK: break
        case VP8_STATUS_NOT_ENOUGH_DATA: throw ImageError(.truncated, "The WebP data ends early.")
        case VP8_STATUS_UNSUPPORTED_FEATURE: throw ImageError(.unsupportedFormat, "The WebP uses a feature libwebp does not support.")
        default: throw ImageError(.corrupt, "Could not decode the WebP (libwebp status \(status.rawValue)).")
        }
        guard Int(config.output.width) == header.width, Int(config.output.height) == header.height else {
            throw ImageError(.corrupt, "The WebP size is inconsistent.")
        }
        return PixelBuffer(uncheckedWidth: header.width, height: header.height, channels: channels, pixels: pixels)
    }
}
