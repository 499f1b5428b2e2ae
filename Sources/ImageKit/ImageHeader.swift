import ContainerKit

/// What an image's header says, read without decoding any pixel.
///
/// Reading this first lets callers refuse decompression bombs (`maxPixels`) and plan the
/// decode (DCT scaling, output format) before any large allocation.
public struct ImageHeader: Sendable, Equatable {
    /// The container format, sniffed from the bytes.
    public let format: ImageFormat
    /// Stored width in pixels (before orientation; HEIC/AVIF: after `clap`, before `irot`/`imir`).
    public let width: Int
    /// Stored height in pixels (before orientation).
    public let height: Int
    /// True when the image carries an alpha channel or a transparency chunk.
    public let hasAlpha: Bool
    /// The EXIF orientation, `.up` when absent. For HEIC/AVIF, what `irot`/`imir` amount to (their
    /// EXIF orientation is informative only and ignored, as browsers and libheif do).
    public let orientation: Orientation
    /// The embedded colour description (ICC profile or HEIF `nclx`), nil when untagged.
    public let colorProfile: ColorProfile?
    /// JPEG only: the Adobe APP14 marker is present (its CMYK data is stored inverted).
    let adobeMarker: Bool
    /// Bytes per stored sample: 2 for 16-bit PNGs and 10/12-bit HEIC/AVIF, whose decode needs
    /// twice the memory per pixel (and so counts twice against the pixel limit); 1 otherwise.
    public let bytesPerSample: Int
    /// HEIC/AVIF: the primary image's transforms, which ImageKit applies (`HEIFGeometry`); nil
    /// when libheif applies them while decoding (then the size is the displayed one, `.up`).
    let heifTransforms: [HEIFTransform]?

    /// Width after orientation is applied.
    public var displayedWidth: Int { orientation.displayedSize(width: width, height: height).width }
    /// Height after orientation is applied.
    public var displayedHeight: Int { orientation.displayedSize(width: width, height: height).height }

    /// The default pixel limit, as `IMAGICON_MAX_PIXELS` defaults in DESIGN.md.
    public static let defaultMaxPixels = 100_000_000

    init(
        format: ImageFormat, width: Int, height: Int, hasAlpha: Bool, orientation: Orientation, colorProfile: ColorProfile? = nil,
        adobeMarker: Bool = false, bytesPerSample: Int = 1, heifTransforms: [HEIFTransform]? = nil
    ) {
        self.heifTransforms = heifTransforms
        self.colorProfile = colorProfile
        self.bytesPerSample = bytesPerSample
        self.format = format
        self.width = width
        self.height = height
        self.hasAlpha = hasAlpha
        self.orientation = orientation
        self.adobeMarker = adobeMarker
    }

    /// The same header with no colour profile (for decodes that keep stored colours).
    var withoutColorProfile: ImageHeader {
        ImageHeader(
            format: format, width: width, height: height, hasAlpha: hasAlpha, orientation: orientation, colorProfile: nil,
            adobeMarker: adobeMarker, bytesPerSample: bytesPerSample, heifTransforms: heifTransforms)
    }

    /// Reads and checks the header.
    ///
    /// - Throws: `ImageError` `.unsupportedFormat` for anything not JPEG/PNG/WebP/HEIC/AVIF (or an
    ///   unsupported variant), `.corrupt`/`.truncated` for a broken header, `.tooLarge` when
    ///   `width * height * bytesPerSample > maxPixels` (a 16-bit PNG or a 10-bit HEIC may have
    ///   half the pixels).
    public static func read(_ bytes: [UInt8], maxPixels: Int = defaultMaxPixels) throws -> ImageHeader {
        try read(bytes, scan: ContainerScan(bytes), maxPixels: maxPixels)
    }

    /// Reads and checks the header from the file's container scan (which EXIF extraction can
    /// share, so the file is walked once); `scan` must be `ContainerScan(bytes)`.
    public static func read(_ bytes: [UInt8], scan: ContainerScan?, maxPixels: Int = defaultMaxPixels) throws -> ImageHeader {
        guard let scan, let format = ImageFormat(scan.format) else {
            throw ImageError(.unsupportedFormat, "Not a JPEG, PNG, WebP, HEIC or AVIF image (\(ImageFormat.describeUnsupported(bytes))).")
        }
        let header = try unchecked(bytes, scan: scan, format: format, maxPixels: maxPixels)
        guard header.width > 0, header.height > 0 else {
            throw ImageError(
                .corrupt, "The \(format.rawValue.uppercased()) header declares an empty image (\(header.width)x\(header.height)).")
        }
        try checkPixels(header.width, header.height, maxPixels: maxPixels)
        let pixels = header.width * header.height
        guard pixels <= maxPixels / header.bytesPerSample else {
            throw ImageError(
                .tooLarge,
                "The \(8 * header.bytesPerSample)-bit image is \(header.width)x\(header.height) pixels, more than the limit of "
                    + "\(maxPixels / header.bytesPerSample) at \(header.bytesPerSample) bytes per sample.")
        }
        return header
    }
}
