import CLCMS2

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// An RGB-to-sRGB conversion for matrix-shaper colour descriptions (Display P3, Adobe RGB,
/// ProPhoto, HEIF `nclx`): per-channel linearising tables indexed by the stored sample, one 3x3
/// matrix, and sRGB's encoding as a table.
///
/// This is what Little CMS evaluates for such profiles too (its matrix-shaper optimisation), with
/// the curves and colorants read from the profile by lcms2, but on 4-wide floats over rows with
/// any stride and 8- or 16-bit samples, with no per-pixel format callbacks: a 12 MP Display P3
/// photo converts in ~40 ms of CPU where `cmsDoTransform` took ~110-130 ms. Deep (10/12-bit)
/// samples are linearised from their full precision, so HDR curves (PQ, HLG) tone map without
/// 8-bit banding. Profiles built on lookup tables (A2B) stay with lcms2's own transforms.
struct MatrixShaper: Sendable {
    /// Linear light of each stored sample value: red, green, blue tables of `1 << bitDepth` entries.
    let linear: [Float]
    /// Bits per stored sample (8 to 16).
    let bitDepth: Int
    /// The matrix from linear source RGB to linear sRGB, by columns (red, green, blue).
    let columns: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)
    /// For 8-bit samples, each channel's column already scaled by the sample's linear light
    /// (red's 256 entries, then green's, then blue's): a pixel is three loads and two adds, the
    /// same sums as multiplying per pixel, bit for bit. Empty for deeper samples.
    let scaledColumns: [SIMD4<Float>]

    /// sRGB's encoding of linear light 0...1, sampled at `encodeSteps + 1` points. The steps are
    /// those of lcms2's 1.14 fixed point (a fifth of an 8-bit step near black).
    static let encodeSteps = 16_383
    static let encodeTable: [UInt8] = (0...encodeSteps).map { i in UInt8((srgbEncode(Double(i) / Double(encodeSteps)) * 255).rounded()) }

    /// IEC 61966-2-1's encoding of linear light (0...1).
    static func srgbEncode(_ x: Double) -> Double { x <= 0.003_130_8 ? 12.92 * x : 1.055 * pow(x, 1 / 2.4) - 0.055 }
    /// IEC 61966-2-1's decoding to linear light.
    static func srgbDecode(_ v: Double) -> Double { v <= 0.040_45 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4) }

    /// A conversion from per-channel linearising functions and the source primaries' RGB->XYZ
    /// (D50) matrix, rows first.
    init(bitDepth: Int, linearize: [(Int) -> Float], toXYZ source: [[Double]]) {
        let size = 1 << bitDepth
        self.bitDepth = bitDepth
        let linear = linearize.flatMap { f in
            (0..<size).map { v in
                let x = f(v)
                return x.isFinite ? x : 0
            }
        }
        self.linear = linear
        let m = Self.multiply(Self.invert(Self.srgbToXYZ), source)
        let columns = (
            SIMD4(Float(m[0][0]), Float(m[1][0]), Float(m[2][0]), 0), SIMD4(Float(m[0][1]), Float(m[1][1]), Float(m[2][1]), 0),
            SIMD4(Float(m[0][2]), Float(m[1][2]), Float(m[2][2]), 0)
        )
        self.columns = columns
        scaledColumns =
            bitDepth == 8
            ? [columns.0, columns.1, columns.2].enumerated().flatMap { channel, column in
                (0..<size).map { column * linear[channel * size + $0] }
            } : []
    }

    /// The conversion an ICC profile describes, when it is an RGB matrix-shaper profile that lcms2
    /// would evaluate as one (no A2B/D2B lookup tables); nil otherwise.
    init?(_ profile: LCMSProfile, bitDepth: Int) {
        let h = profile.handle
        guard profile.colorSpace == cmsSigRgbData, cmsIsMatrixShaper(h) != 0,
            ![cmsSigAToB0Tag, cmsSigAToB1Tag, cmsSigAToB2Tag, cmsSigDToB0Tag].contains(where: { cmsIsTag(h, $0) != 0 }),
            let matrix = Self.colorants(h)
        else { return nil }
        var curves: [OpaquePointer] = []
        for tag in [cmsSigRedTRCTag, cmsSigGreenTRCTag, cmsSigBlueTRCTag] {
            guard let raw = cmsReadTag(h, tag) else { return nil }
            curves.append(OpaquePointer(raw))
        }
        let maximum = Float((1 << bitDepth) - 1)
        self.init(
            bitDepth: bitDepth,
            linearize: curves.map { curve -> (Int) -> Float in { v in cmsEvalToneCurveFloat(curve, Float(v) / maximum) } },
            toXYZ: matrix)
    }

    /// The RGB->XYZ (D50) matrix of a profile's colorant tags, rows first.
    static func colorants(_ h: cmsHPROFILE) -> [[Double]]? {
        var columns: [cmsCIEXYZ] = []
        for tag in [cmsSigRedColorantTag, cmsSigGreenColorantTag, cmsSigBlueColorantTag] {
            guard let raw = cmsReadTag(h, tag) else { return nil }
            columns.append(raw.assumingMemoryBound(to: cmsCIEXYZ.self).pointee)
        }
        return [columns.map(\.X), columns.map(\.Y), columns.map(\.Z)]
    }

    /// sRGB's RGB->XYZ (D50) matrix, as lcms2's built-in sRGB profile has it.
    static let srgbToXYZ: [[Double]] = {
        guard let srgb = cmsCreate_sRGBProfile() else {
            return [[0.4361, 0.3851, 0.1431], [0.2225, 0.7169, 0.0606], [0.0139, 0.0971, 0.7141]]
        }
        defer { cmsCloseProfile(srgb) }
        return colorants(srgb)!
    }()

    /// True when converting changes no 8-bit sample by more than a quarter step: the profile
    /// is sRGB in all but name (or byte layout), so its pixels are left as they are.
    var isNearIdentity: Bool {
        let m = [columns.0, columns.1, columns.2]
        for row in 0..<3 {
            var off = 0.0
            for column in 0..<3 { off += abs(Double(m[column][row]) - (row == column ? 1 : 0)) }
            if off > 0.002 { return false }
        }
        let size = 1 << bitDepth
        let maximum = Double(size - 1)
        for channel in 0..<3 {
            for v in 0..<size where abs(Self.srgbEncode(Double(linear[channel * size + v])) * maximum - Double(v)) > 0.25 { return false }
        }
        return true
    }

    /// Converts `rows` (8-bit or deep samples of `bitDepth` bits, RGB or RGBA, interleaved or
    /// planar; alpha is copied, rounded to 8 bits) into interleaved 8-bit sRGB, rows spread over
    /// the cores.
    func apply(_ rows: SampleRows) -> PixelBuffer {
        precondition(rows.bitDepth == bitDepth, "a table for \(bitDepth)-bit samples")
        let width = rows.width
        let height = rows.height
        let ch = rows.channels
        let outRow = width * ch
        let pixels = [UInt8](unsafeUninitializedCapacity: outRow * height) { out, count in
            let destination = out.baseAddress!
            forEachRowBand(height) { band in
                for y in band { convertRow(rows, y, into: destination + y * outRow) }
            }
            count = outRow * height
        }
        return PixelBuffer(uncheckedWidth: width, height: height, channels: ch, pixels: pixels)
    }

    /// One row: linearise, matrix, encode.
    private func convertRow(_ rows: SampleRows, _ y: Int, into out: UnsafeMutablePointer<UInt8>) {
        let size = 1 << bitDepth
        let maximum = size - 1
        let (c0, c1, c2) = columns
        let width = rows.width
        let ch = rows.channels
        let step = rows.step
        let (r, g, b) = (rows.row(y, channel: 0), rows.row(y, channel: 1), rows.row(y, channel: 2))
        let a = ch == 4 ? rows.row(y, channel: 3) : r
        linear.withUnsafeBufferPointer { table in
            Self.encodeTable.withUnsafeBufferPointer { encode in
                let lr = table.baseAddress!
                let lg = lr + size
                let lb = lg + size
                let enc = encode.baseAddress!
                if bitDepth == 8 {
                    let (r, g, b, a) = (
                        r.assumingMemoryBound(to: UInt8.self), g.assumingMemoryBound(to: UInt8.self), b.assumingMemoryBound(to: UInt8.self),
                        a.assumingMemoryBound(to: UInt8.self)
                    )
                    scaledColumns.withUnsafeBufferPointer { scaled in
                        let sr = scaled.baseAddress!
                        let sg = sr + 256
                        let sb = sg + 256
                        for x in 0..<width {
                            let i = x * step
                            let c = sr[Int(r[i])] + sg[Int(g[i])] + sb[Int(b[i])]
                            let o = out + x * ch
                            o[0] = enc[Self.encodeIndex(c.x)]
                            o[1] = enc[Self.encodeIndex(c.y)]
                            o[2] = enc[Self.encodeIndex(c.z)]
                            if ch == 4 { o[3] = a[i] }
                        }
                    }
                } else {
                    func sample(_ p: UnsafeRawPointer, _ i: Int) -> Int {
                        min(Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt16.self))), maximum)
                    }
                    for x in 0..<width {
                        let i = x * step
                        let c = c0 * lr[sample(r, i)] + c1 * lg[sample(g, i)] + c2 * lb[sample(b, i)]
                        let o = out + x * ch
                        o[0] = enc[Self.encodeIndex(c.x)]
                        o[1] = enc[Self.encodeIndex(c.y)]
                        o[2] = enc[Self.encodeIndex(c.z)]
                        if ch == 4 { o[3] = HEIFDecodedImage.eightBit(UInt32(sample(a, i)), maximum: UInt32(maximum)) }
                    }
                }
            }
        }
    }

    /// The `encodeTable` entry of linear light `v`, clipped to 0...1. Scalar clamps (SIMD4's
    /// `clamped` is not inlined), and the rounded index read from the mantissa after adding
    /// 1.5 * 2^23 instead of `Int(_:)`, whose overflow checks cost more than the rest of the row;
    /// the mask keeps even a NaN inside the table.
    @inline(__always)
    static func encodeIndex(_ v: Float) -> Int {
        Int((Swift.min(Swift.max(v, 0), 1) * Float(encodeSteps) + 12_582_912).bitPattern & 0x3FFF)
    }

    static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        (0..<3).map { i in (0..<3).map { j in (0..<3).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
    }

    static func invert(_ m: [[Double]]) -> [[Double]] {
        let (a, b, c) = (m[0][0], m[0][1], m[0][2])
        let (d, e, f) = (m[1][0], m[1][1], m[1][2])
        let (g, h, i) = (m[2][0], m[2][1], m[2][2])
        let det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
        return [
            [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
            [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
            [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
        ]
    }
}

/// Rows of RGB(A) samples in memory the caller keeps alive, interleaved (`r, g, b[, a]` per
/// pixel) or in one plane per channel (libheif's planar RGB): 8-bit, or 16-bit little-endian
/// words holding `bitDepth`-bit values (libheif's `RRGGBB_LE` and deep planes).
struct SampleRows {
    /// Where each channel's first sample of row 0 is (red, green, blue, then alpha).
    let planes: [UnsafeRawPointer]
    /// Bytes from one row to the next, per channel.
    let strides: [Int]
    /// Bytes from one pixel's sample to the next pixel's, within a channel.
    let step: Int
    let width: Int
    let height: Int
    /// 3 or 4.
    let channels: Int
    /// 8, or 9-16 for 16-bit words.
    let bitDepth: Int

    /// Interleaved rows starting at `base`, `stride` bytes apart.
    init(base: UnsafeRawPointer, stride: Int, width: Int, height: Int, channels: Int, bitDepth: Int) {
        let sampleBytes = bitDepth > 8 ? 2 : 1
        planes = (0..<channels).map { base + $0 * sampleBytes }
        strides = Array(repeating: stride, count: channels)
        step = channels * sampleBytes
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
    }

    /// One plane per channel (3 or 4), each with its own stride.
    init(planes: [UnsafeRawPointer], strides: [Int], width: Int, height: Int, bitDepth: Int) {
        precondition(planes.count == strides.count && (planes.count == 3 || planes.count == 4), "3 or 4 planes")
        self.planes = planes
        self.strides = strides
        step = bitDepth > 8 ? 2 : 1
        self.width = width
        self.height = height
        channels = planes.count
        self.bitDepth = bitDepth
    }

    /// The first row and the stride when the samples are interleaved 8-bit rows (as lcms2 reads them).
    var interleaved: (base: UnsafeRawPointer, stride: Int)? {
        guard bitDepth == 8, step == channels, (0..<channels).allSatisfy({ planes[$0] == planes[0] + $0 && strides[$0] == strides[0] })
        else { return nil }
        return (planes[0], strides[0])
    }

    /// Channel `c`'s first sample in row `y`.
    @inline(__always)
    func row(_ y: Int, channel c: Int) -> UnsafeRawPointer { planes[c] + y * strides[c] }

    /// The rows as an 8-bit `PixelBuffer` (deep samples rounded), rows spread over the cores.
    func eightBit() -> PixelBuffer {
        let rowBytes = width * channels
        let pixels = [UInt8](unsafeUninitializedCapacity: rowBytes * height) { out, count in
            let dst = out.baseAddress!
            if let (base, stride) = interleaved {
                for y in 0..<height {
                    (dst + y * rowBytes).initialize(from: (base + y * stride).assumingMemoryBound(to: UInt8.self), count: rowBytes)
                }
            } else {
                forEachRowBand(height) { band in
                    for y in band { copyRow(y, into: dst + y * rowBytes) }
                }
            }
            count = rowBytes * height
        }
        return PixelBuffer(uncheckedWidth: width, height: height, channels: channels, pixels: pixels)
    }

    /// Row `y`, interleaved into `o` with 8 bits per sample.
    private func copyRow(_ y: Int, into o: UnsafeMutablePointer<UInt8>) {
        let ch = channels
        let step = step
        for c in 0..<ch {
            let r = row(y, channel: c)
            if bitDepth == 8 {
                let s = r.assumingMemoryBound(to: UInt8.self)
                for x in 0..<width { o[x * ch + c] = s[x * step] }
            } else {
                let maximum = UInt32((1 << bitDepth) - 1)
                for x in 0..<width {
                    let v = min(UInt32(UInt16(littleEndian: r.loadUnaligned(fromByteOffset: x * step, as: UInt16.self))), maximum)
                    o[x * ch + c] = HEIFDecodedImage.eightBit(v, maximum: maximum)
                }
            }
        }
    }
}
