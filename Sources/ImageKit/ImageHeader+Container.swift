import ContainerKit

/// The decode header from a container scan: the checks each format's decoder relies on, made
/// on what ContainerKit's one walk found (HEIC/AVIF: transforms from it; size, alpha, depth and colour
/// from libheif).
extension ImageHeader {
    /// Most scans (SOS markers) a JPEG may have: real progressive files have about 10; libjpeg-turbo
    /// suggests 500 as a limit. Each scan is a full pass over the coefficients, so a 6 MB file of
    /// 100,000 near-empty scans would otherwise take minutes to decode.
    static let maxJPEGScans = 500

    /// The header of `bytes` from their scan, size not yet checked against the pixel limit.
    static func unchecked(_ bytes: [UInt8], scan: ContainerScan, format: ImageFormat, maxPixels: Int) throws -> ImageHeader {
        let orientation = scan.exifOrientation.flatMap(Orientation.init(rawValue:)) ?? .up
        let profile = scan.iccProfile.flatMap(ColorProfile.init)
        switch format {
        case .jpeg:
            guard let jpeg = scan.jpeg else { throw ImageError(.corrupt, "The JPEG could not be read.") }
            let frame = try jpegFrame(jpeg)
            return ImageHeader(
                format: .jpeg, width: frame.width, height: frame.height, hasAlpha: false, orientation: orientation,
                colorProfile: profile, adobeMarker: jpeg.adobe)
        case .png:
            let header = try pngHeader(scan)
            let png = scan.png!
            // An sRGB chunk wins over iCCP (the PNG specification says both must not appear).
            return ImageHeader(
                format: .png, width: header.width, height: header.height,
                hasAlpha: header.colorType == 4 || header.colorType == 6 || png.hasTransparencyChunk, orientation: orientation,
                colorProfile: png.declaresSRGB ? nil : profile, bytesPerSample: header.bitDepth == 16 ? 2 : 1)
        case .webp:
            guard let webp = scan.webp else { throw ImageError(.corrupt, "The WebP could not be read.") }
            guard !webp.isAnimated else { throw ImageError(.unsupportedFormat, "Animated WebP is not supported.") }
            guard webp.frame != nil, let width = scan.width, let height = scan.height else {
                throw webp.isTruncated
                    ? ImageError(.truncated, "The WebP ends inside its header.") : ImageError(.corrupt, "The WebP header is invalid.")
            }
            return ImageHeader(
                format: .webp, width: width, height: height, hasAlpha: webp.hasAlpha, orientation: orientation, colorProfile: profile)
        case .heic, .avif:
            // The primary item's `ispe` refuses a bomb before libheif is loaded.
            if let width = scan.width, let height = scan.height { try checkPixels(width, height, maxPixels: maxPixels) }
            return try HEIFDecoder.header(bytes, format: format, transforms: scan.heif?.primaryTransforms, maxPixels: maxPixels)
        }
    }

    /// The JPEG frame the decoder can take: 8-bit, 1/3/4 components, not lossless or
    /// hierarchical, headers complete up to the first scan, at most `maxJPEGScans` scans.
    private static func jpegFrame(_ jpeg: JPEGStructure) throws -> JPEGStructure.Frame {
        if let frame = jpeg.frame {
            guard frame.length >= 6 else { throw ImageError(.corrupt, "The JPEG frame header is too short.") }
            switch frame.marker {
            case 0xC3, 0xC7, 0xCB, 0xCF:
                throw ImageError(.unsupportedFormat, "Lossless JPEG (SOF\(frame.marker - 0xC0)) is not supported.")
            case 0xC5, 0xC6, 0xCD, 0xCE:
                throw ImageError(.unsupportedFormat, "Hierarchical JPEG (SOF\(frame.marker - 0xC0)) is not supported.")
            default: break
            }
            guard frame.precision == 8 else {
                throw ImageError(
                    frame.precision == 12 || frame.precision == 16 ? .unsupportedFormat : .corrupt,
                    "The JPEG has \(frame.precision)-bit samples; only 8-bit JPEG is supported.")
            }
            guard [1, 3, 4].contains(frame.components) else {
                throw ImageError(.corrupt, "The JPEG frame declares \(frame.components) colour components.")
            }
            guard frame.length >= 6 + 3 * frame.components else { throw ImageError(.corrupt, "The JPEG frame header is too short.") }
            guard frame.width > 0, frame.height > 0 else {
                throw ImageError(.corrupt, "The JPEG frame declares an empty image (\(frame.width)x\(frame.height)).")
            }
        }
        switch jpeg.end {
        case .scan:
            guard let frame = jpeg.frame else { throw ImageError(.corrupt, "The JPEG has a scan before its frame header (SOF).") }
            guard jpeg.scans <= maxJPEGScans else {
                throw ImageError(.corrupt, "The JPEG has more than \(maxJPEGScans) scans (a decoding-cost bomb); refused before decoding.")
            }
            return frame
        case .endOfImage:
            throw ImageError(.corrupt, jpeg.frame == nil ? "The JPEG has no frame header (SOF)." : "The JPEG has no scan data.")
        case .invalidLength:
            throw ImageError(.corrupt, "The JPEG has a marker segment with an invalid length.")
        case .truncated:
            throw ImageError(
                .truncated, jpeg.frame == nil ? "The JPEG ends before its frame header (SOF)." : "The JPEG ends before its scan data.")
        }
    }

    /// The PNG's IHDR when it comes first and declares a size, colour type and bit depth libpng decodes.
    private static func pngHeader(_ scan: ContainerScan) throws -> PNGStructure.Header {
        guard scan.byteCount >= 33 else { throw ImageError(.truncated, "The PNG ends inside its header.") }
        guard let h = scan.png?.header else { throw ImageError(.corrupt, "The PNG does not start with an IHDR chunk.") }
        guard h.width > 0, h.height > 0, h.width < 1 << 31, h.height < 1 << 31 else {
            throw ImageError(.corrupt, "The PNG declares an invalid size (\(h.width)x\(h.height)).")
        }
        let validDepths: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = validDepths[h.colorType], depths.contains(h.bitDepth), h.interlace <= 1, h.compression == 0, h.filter == 0
        else {
            throw ImageError(.corrupt, "The PNG header has an invalid colour type, bit depth or method.")
        }
        return h
    }

    /// Refuses an empty size or one with more than `maxPixels` pixels.
    static func checkPixels(_ width: Int, _ height: Int, maxPixels: Int) throws {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else {
            throw ImageError(.tooLarge, "The image is \(width)x\(height) pixels, more than the limit of \(maxPixels).")
        }
    }
}
