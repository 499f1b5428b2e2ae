/// How to decode.
public struct DecodeOptions: Sendable {
    /// Refuse images with more pixels than this (checked from the header, before decoding).
    public var maxPixels: Int
    /// Apply the EXIF orientation so the result is upright.
    public var applyOrientation: Bool
    /// JPEG only: the decode may be DCT-scaled down to the smallest size that still covers
    /// this many pixels in each dimension (in stored orientation). `nil` decodes full size.
    public var cover: (width: Int, height: Int)?
    /// Convert to sRGB through the image's ICC profile or `nclx` (off: colours as stored).
    public var colorManaged: Bool

    /// Full-size, upright decode with the default pixel limit.
    public init(
        maxPixels: Int = ImageHeader.defaultMaxPixels, applyOrientation: Bool = true, cover: (width: Int, height: Int)? = nil,
        colorManaged: Bool = true
    ) {
        self.colorManaged = colorManaged
        self.maxPixels = maxPixels
        self.applyOrientation = applyOrientation
        self.cover = cover
    }
}

/// A decoded image and the header it came from.
public struct DecodedImage: Sendable {
    /// The header (stored size, format, orientation).
    public let header: ImageHeader
    /// The pixels: upright when `isOriented`, otherwise as stored. Smaller than the header
    /// size when a DCT-scaled decode was asked for.
    public let pixels: PixelBuffer
    /// True when `header.orientation` has been applied to `pixels`.
    public let isOriented: Bool
}

/// Decodes JPEG, PNG, WebP, HEIC and AVIF from bytes, format sniffed from the data.
public enum ImageDecoder {
    /// Reads the header, checks the pixel limit, then decodes.
    ///
    /// - Throws: `ImageError`; never returns a partially decoded image.
    public static func decode(_ bytes: [UInt8], options: DecodeOptions = DecodeOptions()) throws -> DecodedImage {
        try decode(bytes, header: ImageHeader.read(bytes, maxPixels: options.maxPixels), options: options)
    }

    /// Decodes for a header `ImageHeader.read` returned for these bytes (with the same
    /// `options.maxPixels`), so a caller that read the header first does not read it again.
    public static func decode(_ bytes: [UInt8], header: ImageHeader, options: DecodeOptions = DecodeOptions()) throws -> DecodedImage {
        var pixels = try decodePixels(bytes, header: header, cover: options.cover, colorManaged: options.colorManaged)
        if options.applyOrientation { pixels = pixels.applying(header.orientation) }
        return DecodedImage(header: header, pixels: pixels, isOriented: options.applyOrientation)
    }

    /// Decodes pixels in stored orientation for an already-checked header, converted to sRGB
    /// when the header carries a colour profile (CMYK JPEGs convert in the JPEG decoder).
    static func decodePixels(
        _ bytes: [UInt8], header: ImageHeader, cover: (width: Int, height: Int)?, fastUpsample: Bool = false, colorManaged: Bool = true
    ) throws -> PixelBuffer {
        let profile = colorManaged ? header.colorProfile : nil
        let stored = colorManaged ? header : header.withoutColorProfile // CMYK JPEGs convert in the JPEG decoder
        let raw: PixelBuffer
        switch header.format {
        case .jpeg: raw = try JPEGDecoder.decode(bytes, header: stored, cover: cover, fastUpsample: fastUpsample)
        case .png: raw = try PNGDecoder.decode(bytes, header: stored)
        case .webp: raw = try WebPDecoder.decode(bytes, header: stored)
        // Converted while copied out of libheif's plane, from deep samples when there are any.
        case .heic, .avif: return try HEIFDecoder.decode(bytes, header: header, profile: profile)
        }
        return ColorConverter.toSRGB(raw, profile: profile)
    }
}
