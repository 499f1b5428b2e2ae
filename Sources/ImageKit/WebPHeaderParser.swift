import CWebP

/// Reads a WebP's features through libwebp (header only), its EXIF chunk's orientation and its ICC profile.
enum WebPHeaderParser {
    static func parse(_ b: [UInt8]) throws -> ImageHeader {
        var features = WebPBitstreamFeatures()
        let status = b.withUnsafeBufferPointer { WebPGetFeatures($0.baseAddress, $0.count, &features) }
        switch status {
        case VP8_STATUS_OK: break
        case VP8_STATUS_NOT_ENOUGH_DATA: throw ImageError(.truncated, "The WebP ends inside its header.")
        case VP8_STATUS_UNSUPPORTED_FEATURE: throw ImageError(.unsupportedFormat, "The WebP uses a feature libwebp does not support.")
        default: throw ImageError(.corrupt, "The WebP header is invalid.")
        }
        guard features.has_animation == 0 else { throw ImageError(.unsupportedFormat, "Animated WebP is not supported.") }
        let chunks = metadataChunks(b)
        return ImageHeader(
            format: .webp, width: Int(features.width), height: Int(features.height),
            hasAlpha: features.has_alpha != 0, orientation: chunks.orientation ?? .up, colorProfile: chunks.profile)
    }

    /// Walks the RIFF chunks for `EXIF` (orientation) and `ICCP` (the ICC profile).
    private static func metadataChunks(_ b: [UInt8]) -> (orientation: Orientation?, profile: ColorProfile?) {
        var offset = 12
        var orientation: Orientation?
        var profile: ColorProfile?
        while offset + 8 <= b.count {
            let size = Int(b[offset + 4]) | Int(b[offset + 5]) << 8 | Int(b[offset + 6]) << 16 | Int(b[offset + 7]) << 24
            let data = (offset + 8)..<(offset + 8 + size)
            guard data.upperBound <= b.count else { break }
            let name = b[offset..<(offset + 4)]
            if orientation == nil, name.elementsEqual(Array("EXIF".utf8)) { orientation = ExifOrientationReader.orientation(tiff: b[data]) }
            if profile == nil, name.elementsEqual(Array("ICCP".utf8)), size >= 132, size <= ColorProfile.maxICCBytes {
                profile = .icc(Array(b[data]))
            }
            offset = data.upperBound + (size & 1)
        }
        return (orientation, profile)
    }
}
