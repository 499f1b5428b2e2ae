import CLCMS2
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Converts decoded pixels to sRGB from the image's embedded ICC profile or its HEIF `nclx`
/// description, before any resampling (thumbnails, conversions and the pixels the face models
/// see all come out in sRGB, untagged).
///
/// Untagged images and sRGB profiles (recognised by their colorants and curves, not their
/// name) are left alone at no cost: the pixels are returned as they are, bit for bit. Matrix-
/// shaper profiles and `nclx` convert through `MatrixShaper`; profiles built on lookup tables
/// through a Little CMS transform (perceptual intent, as `jpgicc` and `transicc` default to).
/// Unusable profiles (damaged, or for another colour space than the pixels) are ignored, as
/// browsers ignore them. PQ and HLG `nclx` images are tone mapped (`TransferFunction`). Each
/// conversion is prepared once per profile and kept (a few at most).
enum ColorConverter {
    /// `pixels` in sRGB (the same buffer when no conversion applies).
    static func toSRGB(_ pixels: PixelBuffer, profile: ColorProfile?) -> PixelBuffer {
        guard let profile else { return pixels }
        let converted = pixels.pixels.withUnsafeBytes { raw in
            convert(
                SampleRows(
                    base: raw.baseAddress!, stride: pixels.width * pixels.channels, width: pixels.width, height: pixels.height,
                    channels: pixels.channels, bitDepth: 8),
                profile: profile)
        }
        return converted ?? pixels
    }

    /// `rows` converted to 8-bit sRGB through `profile`; nil when it asks for no conversion
    /// (sRGB, or a profile that is ignored).
    static func convert(_ rows: SampleRows, profile: ColorProfile) -> PixelBuffer? {
        switch conversion(for: profile, bitDepth: rows.bitDepth, channels: rows.channels) {
        case .none: nil
        case .matrixShaper(let shaper): shaper.apply(rows)
        case .lcms(let transform):
            rows.interleaved != nil ? transform.apply(rows, outputChannels: rows.channels) : toSRGB(rows.eightBit(), profile: profile)
        }
    }

    /// CMYK samples (4 per pixel) to sRGB through their ICC profile; nil when the profile is not
    /// a usable CMYK profile. `inverted`: Adobe CMYK JPEGs store 255 - ink.
    static func cmykToSRGB(_ cmyk: [UInt8], width: Int, height: Int, icc: [UInt8], inverted: Bool) -> PixelBuffer? {
        guard let source = LCMSProfile(icc: icc), source.colorSpace == cmsSigCmykData,
            let transform = LCMSTransform(from: source, format: inverted ? ImagiconTypeCMYK8Reversed : ImagiconTypeCMYK8)
        else { return nil }
        return cmyk.withUnsafeBytes { raw in
            transform.apply(
                SampleRows(base: raw.baseAddress!, stride: width * 4, width: width, height: height, channels: 4, bitDepth: 8),
                outputChannels: 3)
        }
    }

    /// How one profile converts samples of one depth and channel count.
    enum Conversion: Sendable {
        /// Nothing to do: sRGB, or a profile that is ignored.
        case none
        case matrixShaper(MatrixShaper)
        /// An 8-bit lcms2 transform (deeper samples are rounded to 8 bits first).
        case lcms(LCMSTransform)
    }

    private struct CacheKey: Hashable {
        var icc: [UInt8]
        var nclx: [Int]
        var bitDepth: Int
        var channels: Int
    }

    /// Prepared conversions, by profile: a batch of photos from one phone shares one profile.
    private static let cache = Mutex<[CacheKey: Conversion]>([:])
    private static let cacheLimit = 8

    /// The conversion for `profile` (prepared once, then cached).
    static func conversion(for profile: ColorProfile, bitDepth: Int, channels: Int) -> Conversion {
        let key: CacheKey =
            switch profile {
            case .icc(let bytes): CacheKey(icc: bytes, nclx: [], bitDepth: bitDepth, channels: channels)
            case .nclx(let p, let t): CacheKey(icc: [], nclx: [p, t], bitDepth: bitDepth, channels: channels)
            }
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let made = prepare(profile, bitDepth: bitDepth, channels: channels)
        cache.withLock {
            if $0.count >= cacheLimit { $0.removeAll() }
            $0[key] = made
        }
        return made
    }

    private static func prepare(_ profile: ColorProfile, bitDepth: Int, channels: Int) -> Conversion {
        switch profile {
        case .icc(let bytes):
            guard let source = LCMSProfile(icc: bytes), source.colorSpace == cmsSigRgbData else { return .none }
            if let eightBit = MatrixShaper(source, bitDepth: 8) {
                if eightBit.isNearIdentity { return .none }
                return .matrixShaper(bitDepth == 8 ? eightBit : MatrixShaper(source, bitDepth: bitDepth)!)
            }
            let format = channels == 4 ? ImagiconTypeRGBA8 : ImagiconTypeRGB8
            return LCMSTransform(from: source, format: format).map { .lcms($0) } ?? .none
        case .nclx(let primaries, let transfer):
            guard let curve = TransferFunction(h273: transfer) else { return .none }
            // Unspecified or unknown primaries: BT.709's, which SDR leaves alone and HDR still tone maps.
            let known = LCMSProfile.primaries[primaries] != nil && primaries != 1
            guard known || curve.isHDR, let matrix = known ? LCMSProfile.colorants(primaries: primaries) : MatrixShaper.srgbToXYZ
            else { return .none }
            let maximum = Double((1 << bitDepth) - 1)
            let linearize: (Int) -> Float = { v in Float(curve.linear(Double(v) / maximum)) }
            return .matrixShaper(MatrixShaper(bitDepth: bitDepth, linearize: [linearize, linearize, linearize], toXYZ: matrix))
        }
    }
}

/// An lcms2 profile (closed in deinit).
final class LCMSProfile {
    let handle: cmsHPROFILE

    /// Opens an ICC profile; nil when lcms2 cannot read it.
    init?(icc bytes: [UInt8]) {
        guard let h = bytes.withUnsafeBytes({ cmsOpenProfileFromMem($0.baseAddress, cmsUInt32Number($0.count)) }) else { return nil }
        handle = h
    }

    private init(handle: cmsHPROFILE) { self.handle = handle }

    deinit { cmsCloseProfile(handle) }

    /// H.273 colour primaries: (red x, y, green x, y, blue x, y), D65 white.
    static let primaries: [Int: (Double, Double, Double, Double, Double, Double)] = [
        1: (0.640, 0.330, 0.300, 0.600, 0.150, 0.060), // BT.709 / sRGB
        9: (0.708, 0.292, 0.170, 0.797, 0.131, 0.046), // BT.2020
        12: (0.680, 0.320, 0.265, 0.690, 0.150, 0.060), // Display P3 (SMPTE EG 432-1)
    ]

    /// The RGB->XYZ (D50, Bradford-adapted by lcms2) matrix of H.273 `primaries` with a D65 white.
    static func colorants(primaries code: Int) -> [[Double]]? {
        guard let xy = primaries[code], let linear = cmsBuildGamma(nil, 1) else { return nil }
        defer { cmsFreeToneCurve(linear) }
        var white = cmsCIExyY(x: 0.3127, y: 0.3290, Y: 1)
        var triple = cmsCIExyYTRIPLE(
            Red: cmsCIExyY(x: xy.0, y: xy.1, Y: 1), Green: cmsCIExyY(x: xy.2, y: xy.3, Y: 1), Blue: cmsCIExyY(x: xy.4, y: xy.5, Y: 1))
        var curves: [OpaquePointer?] = [linear, linear, linear]
        guard let h = curves.withUnsafeMutableBufferPointer({ cmsCreateRGBProfile(&white, &triple, $0.baseAddress) }) else { return nil }
        let profile = LCMSProfile(handle: h)
        return MatrixShaper.colorants(profile.handle)
    }

    /// The profile's data colour space (`cmsSigRgbData`, `cmsSigCmykData`, ...).
    var colorSpace: cmsColorSpaceSignature { cmsGetColorSpace(handle) }

    /// True for sRGB profiles, by content: a matrix-shaper RGB profile whose colorants and curves
    /// change no 8-bit sample by more than a quarter step. Left alone.
    var isSRGB: Bool { MatrixShaper(self, bitDepth: 8)?.isNearIdentity ?? false }
}

/// An 8-bit lcms2 transform to sRGB (deleted in deinit); perceptual intent, as `jpgicc` and
/// `transicc` default to. Made without lcms2's one-pixel cache, so bands may share it.
final class LCMSTransform: @unchecked Sendable {
    let handle: cmsHTRANSFORM
    let inputFormat: cmsUInt32Number

    init?(from source: LCMSProfile, format: cmsUInt32Number) {
        guard let srgb = cmsCreate_sRGBProfile() else { return nil }
        defer { cmsCloseProfile(srgb) }
        let output = format == ImagiconTypeRGBA8 ? ImagiconTypeRGBA8 : ImagiconTypeRGB8
        let flags = cmsUInt32Number(cmsFLAGS_NOCACHE) | (format == ImagiconTypeRGBA8 ? ImagiconFlagCopyAlpha : 0)
        guard let h = cmsCreateTransform(source.handle, format, srgb, output, cmsUInt32Number(INTENT_PERCEPTUAL), flags) else {
            return nil
        }
        handle = h
        inputFormat = format
    }

    deinit { cmsDeleteTransform(handle) }

    /// Transforms every row of interleaved 8-bit `rows` (rows spread over the cores).
    func apply(_ rows: SampleRows, outputChannels: Int) -> PixelBuffer {
        guard let (base, stride) = rows.interleaved else { preconditionFailure("lcms2 transforms read interleaved 8-bit rows") }
        let width = rows.width
        let height = rows.height
        let outRow = width * outputChannels
        let pixels = [UInt8](unsafeUninitializedCapacity: outRow * height) { out, count in
            let destination = out.baseAddress!
            forEachRowBand(height) { band in
                guard let y0 = band.first else { return }
                cmsDoTransformLineStride(
                    self.handle, base + y0 * stride, destination + y0 * outRow, cmsUInt32Number(width), cmsUInt32Number(band.count),
                    cmsUInt32Number(stride), cmsUInt32Number(outRow), 0, 0)
            }
            count = outRow * height
        }
        return PixelBuffer(uncheckedWidth: width, height: height, channels: outputChannels, pixels: pixels)
    }
}
