import CTurboJPEG

/// Decodes JPEG through TurboJPEG into RGB, using DCT-domain scaling when the caller
/// needs less than full resolution.
///
/// Default TurboJPEG flags (accurate integer IDCT, fancy upsampling) so full-size pixels match
/// the reference decoders (Pillow, dlib) exactly. CMYK and YCCK are decoded to CMYK and
/// converted here, undoing Adobe's inverted storage.
enum JPEGDecoder {
    /// The TurboJPEG scaling factors used: 1/1, 1/2, 1/4, 1/8 (largest first). The odd
    /// factors (7/8 ... 3/8) use small non-power-of-two IDCTs whose output is measurably less
    /// accurate (about 2.5 dB PSNR at 5/8 on a 1024 px thumbnail), so they are skipped.
    static let scalingFactors: [(num: Int, denom: Int)] = {
        var count: Int32 = 0
        guard let list = tjGetScalingFactors(&count), count > 0 else { return [(1, 1)] }
        return (0..<Int(count)).map { (Int(list[$0].num), Int(list[$0].denom)) }
            .filter { f in f.num == 1 && f.denom.nonzeroBitCount == 1 }
            .sorted { $0.num * $1.denom > $1.num * $0.denom }
    }()

    /// A dimension scaled by a factor, rounded up, as TurboJPEG's `TJSCALED`.
    static func scaled(_ size: Int, _ f: (num: Int, denom: Int)) -> Int { (size * f.num + f.denom - 1) / f.denom }

    /// The smallest factor whose output still covers `cover` (stored orientation); full size when nil.
    static func factor(width: Int, height: Int, cover: (width: Int, height: Int)?) -> (num: Int, denom: Int) {
        guard let cover else { return (1, 1) }
        var best = (num: 1, denom: 1)
        for f in scalingFactors where scaled(width, f) >= cover.width && scaled(height, f) >= cover.height { best = f }
        return best
    }

    /// Decodes `bytes` (already checked by `ImageHeader.read`) to RGB.
    static func decode(_ bytes: [UInt8], header: ImageHeader, cover: (width: Int, height: Int)?, fastUpsample: Bool = false) throws
        -> PixelBuffer
    {
        let handle = try TurboJPEGHandle(compress: false)
        return try bytes.withUnsafeBufferPointer { src -> PixelBuffer in
            guard let base = src.baseAddress else { throw ImageError(.truncated, "The JPEG is empty.") }
            var width: Int32 = 0
            var height: Int32 = 0
            var subsamp: Int32 = 0
            var colorspace: Int32 = 0
            if tjDecompressHeader3(handle.raw, base, UInt(src.count), &width, &height, &subsamp, &colorspace) != 0,
                !isHarmlessWarning(handle)
            {
                throw failure(handle, "read the JPEG header")
            }
            guard Int(width) == header.width, Int(height) == header.height else {
                throw ImageError(.corrupt, "The JPEG frame size is inconsistent (\(width)x\(height) vs \(header.width)x\(header.height)).")
            }
            let f = factor(width: header.width, height: header.height, cover: cover)
            let outW = scaled(header.width, f)
            let outH = scaled(header.height, f)
            let cmyk = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
            let channels = cmyk ? 4 : 3
            let format = cmyk ? TJPF_CMYK : TJPF_RGB
            let count = outW * outH * channels
            var pixels = [UInt8](repeating: 0, count: count)
            let status = pixels.withUnsafeMutableBufferPointer { dst in
                tjDecompress2(
                    handle.raw, base, UInt(src.count), dst.baseAddress, Int32(outW), 0, Int32(outH),
                    Int32(format.rawValue), fastUpsample ? TJFLAG_FASTUPSAMPLE : 0)
            }
            if status != 0 {
                // Warnings leave a complete image but usually mean damaged data: only junk between
                // markers is harmless; truncation and entropy-coding errors are refused.
                if !isHarmlessWarning(handle) { throw failure(handle, "decode the JPEG") }
            }
            if cmyk {
                // Through the file's CMYK profile when it has one (it is then consumed here).
                if case .icc(let icc)? = header.colorProfile,
                    let rgb = ColorConverter.cmykToSRGB(pixels, width: outW, height: outH, icc: icc, inverted: header.adobeMarker)
                {
                    return rgb
                }
                pixels = convertCMYK(pixels, inverted: header.adobeMarker)
            }
            return PixelBuffer(uncheckedWidth: outW, height: outH, channels: 3, pixels: pixels)
        }
    }

    /// True when the last failure was only libjpeg's warning about junk bytes between markers.
    private static func isHarmlessWarning(_ handle: TurboJPEGHandle) -> Bool {
        handle.lastFailureWasWarning && handle.message.contains("extraneous bytes before marker")
    }

    /// Maps a TurboJPEG failure to a typed error.
    private static func failure(_ handle: TurboJPEGHandle, _ action: String) -> ImageError {
        let text = handle.message
        let truncated = text.contains("Premature end") || text.contains("premature end")
        return ImageError(truncated ? .truncated : .corrupt, "Could not \(action): \(text).")
    }

    /// CMYK to RGB the way Pillow converts (`r = (255 - c) * (255 - k) / 255` in integer
    /// arithmetic); Adobe files store the values inverted.
    static func convertCMYK(_ cmyk: [UInt8], inverted: Bool) -> [UInt8] {
        let n = cmyk.count / 4
        var rgb = [UInt8](repeating: 0, count: n * 3)
        cmyk.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    func ink(_ c: Int) -> Int { inverted ? 255 - Int(src[4 * i + c]) : Int(src[4 * i + c]) }
                    let nk = 255 - ink(3)
                    for c in 0..<3 {
                        let t = ink(c) * nk + 128
                        dst[3 * i + c] = UInt8(clamping: nk - ((t >> 8) + t) >> 8)
                    }
                }
            }
        }
        return rgb
    }
}
