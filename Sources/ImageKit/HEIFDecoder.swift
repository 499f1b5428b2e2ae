/// Decodes the primary image of HEIC/HEIF and AVIF files through libheif.
///
/// libheif applies the transformative properties (`clap`, `irot`, `imir`) exactly once, so the
/// header reports the displayed size with orientation `.up` and the EXIF orientation is ignored,
/// as browsers and libheif do. Embedded thumbnails, auxiliary images (depth, gain maps) and
/// further images of bursts/collections are never decoded. Deep (10/12-bit) samples are
/// rounded to 8 bits.
enum HEIFDecoder {
    /// Reads the primary image's header, refusing it before any pixel is decoded when its coded
    /// size (`ispe`) has more than `maxPixels` pixels.
    static func header(_ bytes: [UInt8], format: ImageFormat, maxPixels: Int) throws -> ImageHeader {
        try HEIFFile.read(bytes) { file in
            let image = try file.primaryImage()
            try checkSize(image, maxPixels: maxPixels)
            let size = image.size
            let profile =
                image.iccProfile.map(ColorProfile.icc)
                ?? image.nclx.map { ColorProfile.nclx(primaries: $0.primaries, transfer: $0.transfer) }
            return ImageHeader(
                format: format, width: size.width, height: size.height, hasAlpha: image.hasAlpha, orientation: .up, colorProfile: profile)
        }
    }

    /// Decodes the primary image for a header `header(_:format:maxPixels:)` has checked, converted
    /// to sRGB through `profile` when given (see `ColorConverter`).
    static func decode(_ bytes: [UInt8], header: ImageHeader, profile: ColorProfile?) throws -> PixelBuffer {
        try HEIFFile.read(bytes) { file in
            let image = try file.primaryImage()
            let pixels = try image.decode(profile: profile)
            guard pixels.width == header.width, pixels.height == header.height else {
                throw ImageError(
                    .corrupt,
                    "The HEIF image decodes to \(pixels.width)x\(pixels.height), not the declared \(header.width)x\(header.height).")
            }
            return pixels
        }
    }

    /// Refuses an empty or too large coded size (the `ispe` property, or the displayed size when
    /// `ispe` is missing).
    private static func checkSize(_ image: HEIFImageHandle, maxPixels: Int) throws {
        let coded = image.codedSize
        let shown = image.size
        let sizes = coded.width == 0 && coded.height == 0 ? [shown] : [coded, shown]
        for (w, h) in sizes {
            guard w > 0, h > 0 else { throw ImageError(.corrupt, "The HEIF file declares an empty image (\(w)x\(h)).") }
            let (pixels, overflow) = w.multipliedReportingOverflow(by: h)
            guard !overflow, pixels <= maxPixels else {
                throw ImageError(.tooLarge, "The image is \(w)x\(h) pixels, more than the limit of \(maxPixels).")
            }
        }
    }
}
