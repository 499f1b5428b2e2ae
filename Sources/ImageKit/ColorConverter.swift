import CLCMS2
import Parallel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Converts decoded pixels to sRGB with Little CMS, from the image's embedded ICC profile or
/// its HEIF `nclx` description, before any resampling (thumbnails, conversions and the pixels
/// the face models see all come out in sRGB, untagged).
///
/// Untagged images and sRGB profiles are left alone at no cost: the pixels are returned as
/// they are, bit for bit. Unusable profiles (damaged, or for another colour space than the
/// pixels) are ignored, as browsers ignore them. `nclx` transfer functions other than the
/// sRGB/BT.709 curve (PQ, HLG: HDR) are not tone mapped and stay as decoded.
enum ColorConverter {
    /// `pixels` in sRGB (the same buffer when no conversion applies).
    static func toSRGB(_ pixels: PixelBuffer, profile: ColorProfile?) -> PixelBuffer {
        guard let profile, let source = LCMSProfile(profile), source.colorSpace == cmsSigRgbData, !source.isSRGB else { return pixels }
        let format = pixels.channels == 4 ? ImagiconTypeRGBA8 : ImagiconTypeRGB8
        guard let transform = LCMSTransform(from: source, format: format, flags: pixels.channels == 4 ? ImagiconFlagCopyAlpha : 0) else {
            return pixels
        }
        return transform.apply(pixels, outputChannels: pixels.channels)
    }

    /// CMYK samples (4 per pixel) to sRGB through their ICC profile; nil when the profile is not
    /// a usable CMYK profile. `inverted`: Adobe CMYK JPEGs store 255 - ink.
    static func cmykToSRGB(_ cmyk: [UInt8], width: Int, height: Int, icc: [UInt8], inverted: Bool) -> PixelBuffer? {
        guard let source = LCMSProfile(.icc(icc)), source.colorSpace == cmsSigCmykData,
            let transform = LCMSTransform(from: source, format: inverted ? ImagiconTypeCMYK8Reversed : ImagiconTypeCMYK8, flags: 0)
        else { return nil }
        let input = PixelBuffer(uncheckedWidth: width, height: height, channels: 4, pixels: cmyk)
        return transform.apply(input, outputChannels: 3)
    }
}

/// An lcms2 profile (closed in deinit).
final class LCMSProfile {
    let handle: cmsHPROFILE

    init?(_ profile: ColorProfile) {
        switch profile {
        case .icc(let bytes):
            guard let h = bytes.withUnsafeBytes({ cmsOpenProfileFromMem($0.baseAddress, cmsUInt32Number($0.count)) }) else { return nil }
            handle = h
        case .nclx(let primaries, let transfer):
            // BT.709/sRGB primaries with an sRGB-like curve are sRGB: nothing to do.
            guard [1, 6, 13, 14, 15].contains(transfer), let xy = Self.primaries[primaries], primaries != 1 else { return nil }
            var white = cmsCIExyY(x: 0.3127, y: 0.3290, Y: 1)
            var triple = cmsCIExyYTRIPLE(
                Red: cmsCIExyY(x: xy.0, y: xy.1, Y: 1), Green: cmsCIExyY(x: xy.2, y: xy.3, Y: 1), Blue: cmsCIExyY(x: xy.4, y: xy.5, Y: 1))
            let parameters: [cmsFloat64Number] = [2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045]
            guard let curve = cmsBuildParametricToneCurve(nil, 4, parameters) else { return nil }
            defer { cmsFreeToneCurve(curve) }
            var curves: [OpaquePointer?] = [curve, curve, curve]
            guard let h = curves.withUnsafeMutableBufferPointer({ cmsCreateRGBProfile(&white, &triple, $0.baseAddress) }) else {
                return nil
            }
            handle = h
        }
    }

    deinit { cmsCloseProfile(handle) }

    /// H.273 colour primaries: (red x, y, green x, y, blue x, y), D65 white.
    static let primaries: [Int: (Double, Double, Double, Double, Double, Double)] = [
        1: (0.640, 0.330, 0.300, 0.600, 0.150, 0.060), // BT.709 / sRGB
        9: (0.708, 0.292, 0.170, 0.797, 0.131, 0.046), // BT.2020
        12: (0.680, 0.320, 0.265, 0.690, 0.150, 0.060), // Display P3 (SMPTE EG 432-1)
    ]

    /// The profile's data colour space (`cmsSigRgbData`, `cmsSigCmykData`, ...).
    var colorSpace: cmsColorSpaceSignature { cmsGetColorSpace(handle) }

    /// True for sRGB profiles (by description, as cameras and phones name them): left alone.
    var isSRGB: Bool {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = cmsGetProfileInfoASCII(handle, cmsInfoDescription, "en", "US", &buffer, cmsUInt32Number(buffer.count))
        guard n > 0 else { return false }
        let description = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).lowercased()
        return description.hasPrefix("srgb") || description.contains("iec61966-2.1") || description.contains("iec 61966-2-1")
    }
}

/// An lcms2 transform to sRGB (deleted in deinit); perceptual intent, as `jpgicc` and `transicc` default to.
final class LCMSTransform: @unchecked Sendable {
    let handle: cmsHTRANSFORM
    let inputFormat: cmsUInt32Number

    init?(from source: LCMSProfile, format: cmsUInt32Number, flags: cmsUInt32Number) {
        guard let srgb = cmsCreate_sRGBProfile() else { return nil }
        defer { cmsCloseProfile(srgb) }
        let output = format == ImagiconTypeRGBA8 ? ImagiconTypeRGBA8 : ImagiconTypeRGB8
        guard let h = cmsCreateTransform(source.handle, format, srgb, output, cmsUInt32Number(INTENT_PERCEPTUAL), flags) else { return nil }
        handle = h
        inputFormat = format
    }

    deinit { cmsDeleteTransform(handle) }

    /// Transforms every row (rows spread over the cores: a 12 MP photo is ~40 ms on one).
    func apply(_ image: PixelBuffer, outputChannels: Int) -> PixelBuffer {
        let width = image.width
        let inRow = width * image.channels
        let outRow = width * outputChannels
        var out = [UInt8](repeating: 0, count: outRow * image.height)
        let bands = max(1, min(ProcessInfo.processInfo.activeProcessorCount, image.height / 64))
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let s = UnsafeSendable(src.baseAddress!)
                let d = UnsafeSendable(dst.baseAddress!)
                parallelFor(bands) { band in
                    let y0 = image.height * band / bands
                    let y1 = image.height * (band + 1) / bands
                    guard y1 > y0 else { return }
                    if outputChannels == 4 { // cmsFLAGS_COPY_ALPHA copies alpha into the output buffer
                        (d.pointer + y0 * outRow).update(from: s.pointer + y0 * inRow, count: (y1 - y0) * outRow)
                    }
                    cmsDoTransformLineStride(
                        self.handle, s.pointer + y0 * inRow, d.pointer + y0 * outRow, cmsUInt32Number(width), cmsUInt32Number(y1 - y0),
                        cmsUInt32Number(inRow), cmsUInt32Number(outRow), 0, 0)
                }
            }
        }
        return PixelBuffer(uncheckedWidth: width, height: image.height, channels: outputChannels, pixels: out)
    }
}

/// A pointer handed to `parallelFor`'s bands, each of which touches its own rows only.
private struct UnsafeSendable<P>: @unchecked Sendable {
    let pointer: P
    init(_ pointer: P) { self.pointer = pointer }
}
