#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// One made thumbnail.
public struct Thumbnail: Sendable {
    /// The size that was asked for.
    public let size: ThumbnailSize
    /// The pixels, upright (EXIF orientation applied).
    public let image: PixelBuffer
}

/// Thumbnails of one image and the header they came from.
public struct ThumbnailSet: Sendable {
    /// The source's header (stored size, format, orientation).
    public let header: ImageHeader
    /// One thumbnail per requested size, in request order.
    public let thumbnails: [Thumbnail]
}

/// Makes every requested thumbnail size from a single decode.
///
/// The JPEG is decoded once, DCT-scaled to the smallest size that still covers the largest
/// request (with libjpeg's fast chroma upsampling when every size is a 2x or larger reduction:
/// the Lanczos reduction that follows filters chroma far more than the upsampler's triangle
/// filter; measured PSNR unchanged). Each size
/// is then Lanczos-resampled in the stored orientation (a small fit size from a larger one
/// already made, when that covers it by the reducing gap), and only the small results are
/// rotated upright.
public enum Thumbnailer {
    /// How much resampling is left after DCT scaling at least: 1 would let the DCT-scaled decode
    /// be as small as the largest thumbnail. DCT-scaled pixels are blockier than a Lanczos
    /// reduction, so leave 1.5x to Lanczos (libvips leaves 2x; 1.5 measured as sharp, cheaper).
    public static let defaultDCTHeadroom = 1.5

    /// Decodes `bytes` and makes `sizes`.
    ///
    /// - Parameters:
    ///   - maxPixels: refuse larger images (from the header, before decoding).
    ///   - focus: the crop centre for `WxHc` sizes in normalised displayed coordinates
    ///     (0...1; a face-aware crop passes the faces' centre). Centred when nil.
    ///   - dctHeadroom: see `defaultDCTHeadroom`.
    ///   - colorManaged: convert to sRGB through the image's profile before resampling.
    /// - Throws: `ImageError`.
    public static func make(
        from bytes: [UInt8], sizes: [ThumbnailSize], maxPixels: Int = ImageHeader.defaultMaxPixels,
        focus: (x: Double, y: Double)? = nil, dctHeadroom: Double = defaultDCTHeadroom, colorManaged: Bool = true
    ) throws -> ThumbnailSet {
        guard !sizes.isEmpty else { throw ImageError(.invalidArgument, "No thumbnail size was asked for.") }
        guard dctHeadroom >= 1, dctHeadroom.isFinite else { throw ImageError(.invalidArgument, "DCT headroom must be at least 1.") }
        for size in sizes where size.width * size.height > maxPixels {
            throw ImageError(.invalidArgument, "Thumbnail size \(size) has more pixels than the limit of \(maxPixels).")
        }
        let header = try ImageHeader.read(bytes, maxPixels: maxPixels)
        let o = header.orientation
        let sw = Double(header.width)
        let sh = Double(header.height)
        // Each size's output and source rectangle in the stored orientation.
        let plans: [(width: Int, height: Int, rect: SourceRect)] = sizes.map { size in
            let l = size.layout(imageWidth: header.displayedWidth, imageHeight: header.displayedHeight, focus: focus ?? (0.5, 0.5))
            let dw = Double(header.displayedWidth)
            let dh = Double(header.displayedHeight)
            let a = o.storedPoint(fromDisplayed: (l.rect.x / dw, l.rect.y / dh))
            let b = o.storedPoint(fromDisplayed: ((l.rect.x + l.rect.width) / dw, (l.rect.y + l.rect.height) / dh))
            let rect = SourceRect(x: min(a.x, b.x) * sw, y: min(a.y, b.y) * sh, width: abs(b.x - a.x) * sw, height: abs(b.y - a.y) * sh)
            return o.swapsDimensions ? (l.height, l.width, rect) : (l.width, l.height, rect)
        }
        // The full-image resolution each plan needs, for DCT scaling.
        var cover = (width: 1, height: 1)
        for p in plans {
            let w = Int((Double(p.width) * sw / p.rect.width * dctHeadroom).rounded(.up))
            let h = Int((Double(p.height) * sh / p.rect.height * dctHeadroom).rounded(.up))
            cover = (max(cover.width, min(w, header.width)), max(cover.height, min(h, header.height)))
        }
        // Fast (replicating) chroma upsampling only where Lanczos then reduces by 2x or more and
        // filters chroma far more than the decoder's triangle filter would; near 1:1 it shows.
        let leastReduction = plans.map { min($0.rect.width / Double($0.width), $0.rect.height / Double($0.height)) }.min() ?? 1
        let decoded = try ImageDecoder.decodePixels(
            bytes, header: header, cover: cover, fastUpsample: leastReduction >= 2, colorManaged: colorManaged)
        let fx = Double(decoded.width) / sw
        let fy = Double(decoded.height) / sh
        // Sizes one after another, largest first; each resize spreads its rows over the cores. A
        // fit size (the whole picture) that a larger fit size already made covers by the
        // resampler's reducing gap or more is made from that one: the same two-stage reduction as
        // the resampler's box pre-reduction, with a Lanczos first stage, and one pass over a full
        // HEIC decode (12 MP, no DCT scaling) instead of two.
        var images = [PixelBuffer?](repeating: nil, count: plans.count)
        var largerFit: PixelBuffer?
        for i in plans.indices.sorted(by: { plans[$0].width * plans[$0].height > plans[$1].width * plans[$1].height }) {
            let p = plans[i]
            let gap = Resampler.reducingGap(outputWidth: p.width, outputHeight: p.height)
            let image: PixelBuffer
            if !sizes[i].crop, let larger = largerFit, Double(larger.width) >= Double(p.width) * gap,
                Double(larger.height) >= Double(p.height) * gap
            {
                image = try Resampler.resize(larger, width: p.width, height: p.height)
            } else {
                let rect = SourceRect(
                    x: p.rect.x * fx, y: p.rect.y * fy,
                    width: min(p.rect.width * fx, Double(decoded.width) - p.rect.x * fx),
                    height: min(p.rect.height * fy, Double(decoded.height) - p.rect.y * fy))
                image = try Resampler.resize(decoded, width: p.width, height: p.height, rect: rect)
            }
            if !sizes[i].crop && largerFit == nil { largerFit = image }
            images[i] = image
        }
        return ThumbnailSet(header: header, thumbnails: zip(sizes, images).map { Thumbnail(size: $0, image: $1!.applying(o)) })
    }

    /// Makes `sizes` from an already decoded, upright image: for callers that decode at full
    /// resolution anyway (face detection) and want thumbnails without a second decode.
    public static func make(from image: PixelBuffer, sizes: [ThumbnailSize], focus: (x: Double, y: Double)? = nil) throws -> [Thumbnail] {
        try sizes.map { size in
            let l = size.layout(imageWidth: image.width, imageHeight: image.height, focus: focus ?? (0.5, 0.5))
            return Thumbnail(size: size, image: try Resampler.resize(image, width: l.width, height: l.height, rect: l.rect))
        }
    }
}
