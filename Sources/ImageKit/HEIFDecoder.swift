import ContainerKit

/// Decodes the primary image of HEIC/HEIF and AVIF files through libheif.
///
/// The transformative properties (`clap`, `irot`, `imir`) are applied exactly once, by ImageKit
/// (`HEIFGeometry`): the header reports the cropped, stored size and the orientation the
/// rotation and mirror amount to, the decode crops while copying out of libheif's plane, and
/// callers turn the pixels as for a JPEG's EXIF orientation (thumbnails after resampling). The
/// EXIF orientation is ignored, as browsers and libheif do. Embedded thumbnails, auxiliary images
/// (depth, gain maps) and further images of bursts/collections are never decoded. Deep
/// (10/12-bit) samples are rounded to 8 bits.
enum HEIFDecoder {
    /// Reads the primary image's header, refusing it before any pixel is decoded when its coded
    /// size (`ispe`) has more than `maxPixels` pixels (half that for deep samples, which decode
    /// through 16-bit planes). `transforms` are ContainerKit's reading of the primary's
    /// transforms; when it could not read them, or the image has alpha (libheif decodes the alpha
    /// plane with the alpha item's own transforms), libheif applies them instead.
    static func header(_ bytes: [UInt8], format: ImageFormat, transforms: [HEIFTransform]?, maxPixels: Int) throws -> ImageHeader {
        try HEIFFile.read(bytes) { file in
            let image = try file.primaryImage()
            let bytesPerSample = image.bitDepth > 8 ? 2 : 1
            let coded = image.codedSize
            let alpha = image.hasAlpha
            let ours = transforms.flatMap { ($0.isEmpty || !alpha) && coded.width > 0 && coded.height > 0 ? $0 : nil }
            let geometry = try ours.map { try HEIFGeometry($0, width: coded.width, height: coded.height) }
            let stored: (width: Int, height: Int) = geometry.map { ($0.width, $0.height) } ?? image.size
            try checkSize(coded: coded, stored: stored, bytesPerSample: bytesPerSample, maxPixels: maxPixels)
            let profile =
                image.iccProfile.map(ColorProfile.icc)
                ?? image.nclx.map { ColorProfile.nclx(primaries: $0.primaries, transfer: $0.transfer) }
            return ImageHeader(
                format: format, width: stored.width, height: stored.height, hasAlpha: alpha, orientation: geometry?.orientation ?? .up,
                colorProfile: profile, bytesPerSample: bytesPerSample, heifTransforms: ours)
        }
    }

    /// Decodes the primary image, in stored orientation, for a header `header(_:format:transforms:maxPixels:)`
    /// has checked, converted to sRGB through `profile` when given (see `ColorConverter`).
    static func decode(_ bytes: [UInt8], header: ImageHeader, profile: ColorProfile?) throws -> PixelBuffer {
        try HEIFFile.read(bytes) { file in
            let image = try file.primaryImage()
            let pixels = try image.decode(profile: profile, transforms: header.heifTransforms)
            guard pixels.width == header.width, pixels.height == header.height else {
                throw ImageError(
                    .corrupt,
                    "The HEIF image decodes to \(pixels.width)x\(pixels.height), not the declared \(header.width)x\(header.height).")
            }
            return pixels
        }
    }

    /// Refuses an empty or too large coded size (the `ispe` property, or the stored size when
    /// `ispe` is missing) or stored size.
    private static func checkSize(coded: (width: Int, height: Int), stored: (Int, Int), bytesPerSample: Int, maxPixels: Int) throws {
        let sizes = coded.width == 0 && coded.height == 0 ? [stored] : [coded, stored]
        let limit = maxPixels / bytesPerSample
        for (w, h) in sizes {
            guard w > 0, h > 0 else { throw ImageError(.corrupt, "The HEIF file declares an empty image (\(w)x\(h)).") }
            let (pixels, overflow) = w.multipliedReportingOverflow(by: h)
            guard !overflow, pixels <= limit else {
                let depth = bytesPerSample > 1 ? " (deep samples decode through 16-bit planes)" : ""
                throw ImageError(.tooLarge, "The image is \(w)x\(h) pixels, more than the limit of \(limit)\(depth).")
            }
        }
    }
}
