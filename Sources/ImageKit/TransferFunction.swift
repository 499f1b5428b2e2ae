#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The H.273 transfer characteristics of a HEIF/AVIF `nclx` description that ImageKit converts
/// from, each as a function from a stored sample (0...1) to linear light where 1 is SDR white.
///
/// HDR (PQ, HLG) is tone mapped the simple way, per channel in the source primaries before the
/// matrix to sRGB: light is scaled so BT.2408's reference white (203 cd/m²) is 1, kept as it is up
/// to `knee`, and above it rolled off exponentially (slope 1 at the knee) towards 1, so
/// highlights up to a few thousand cd/m² keep some gradation instead of clipping. Per-channel
/// roll-off may desaturate bright highlights a little; thumbnails and face detection need no more.
enum TransferFunction: Equatable {
    /// sRGB (13) and the BT.709-family SDR curves (1, 6, 14, 15), decoded with sRGB's curve as
    /// browsers do for SDR `nclx` images.
    case sdr
    /// SMPTE ST 2084 perceptual quantiser (16), absolute up to 10,000 cd/m².
    case pq
    /// ARIB STD-B67 hybrid log-gamma (18), shown on a 1,000 cd/m² display (system gamma 1.2).
    case hlg

    /// The transfer function of an H.273 code; nil for codes ImageKit leaves unconverted.
    init?(h273 code: Int) {
        switch code {
        case 1, 6, 13, 14, 15: self = .sdr
        case 16: self = .pq
        case 18: self = .hlg
        default: return nil
        }
    }

    /// True for PQ and HLG.
    var isHDR: Bool { self != .sdr }

    /// BT.2408's HDR reference white, in cd/m²: mapped to SDR white.
    static let referenceWhite = 203.0
    /// Relative light below which HDR is passed through unchanged.
    static let knee = 0.8

    /// Linear light (SDR white = 1, at most 1) of a stored sample `v` in 0...1.
    func linear(_ v: Double) -> Double {
        let v = min(max(v, 0), 1)
        switch self {
        case .sdr: return MatrixShaper.srgbDecode(v)
        case .pq:
            // ST 2084 EOTF: cd/m².
            let m1 = 2610.0 / 16384
            let m2 = 2523.0 / 4096 * 128
            let c1 = 3424.0 / 4096
            let c2 = 2413.0 / 4096 * 32
            let c3 = 2392.0 / 4096 * 32
            let p = pow(v, 1 / m2)
            let nits = 10_000 * pow(max(p - c1, 0) / (c2 - c3 * p), 1 / m1)
            return Self.rollOff(nits / Self.referenceWhite)
        case .hlg:
            // BT.2100 inverse OETF (scene light 0...1), then the 1,000 cd/m² display's OOTF per channel.
            let a = 0.178_832_77
            let b = 0.284_668_92
            let c = 0.559_910_73
            let scene = v <= 0.5 ? v * v / 3 : (exp((v - c) / a) + b) / 12
            return Self.rollOff(1000 * pow(scene, 1.2) / Self.referenceWhite)
        }
    }

    /// Identity up to `knee`, then an exponential approach to 1 with slope 1 at the knee.
    static func rollOff(_ x: Double) -> Double {
        x <= knee ? x : knee + (1 - knee) * (1 - exp(-(x - knee) / (1 - knee)))
    }
}
