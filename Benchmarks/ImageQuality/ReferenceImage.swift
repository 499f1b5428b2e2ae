import ImageKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A slow, exact resize used as the yardstick for thumbnail quality.
///
/// Lanczos-3 in double precision from the full-resolution decode, with no intermediate
/// rounding and no DCT-domain shortcut; `psnr(_:against:)` compares an 8-bit thumbnail
/// (ours, libvips', Pillow's) with it.
public struct ReferenceImage: Sendable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width * height * 3` samples, RGB, unrounded and unclamped.
    public let samples: [Double]

    /// Resizes an RGB(A) image (alpha is composited onto white first) to `width` x `height`.
    public init(resizing source: PixelBuffer, width: Int, height: Int, rect: SourceRect? = nil) {
        let src = source.removingAlpha()
        let r = rect ?? SourceRect(x: 0, y: 0, width: Double(src.width), height: Double(src.height))
        func axis(_ inSize: Int, _ outSize: Int, _ offset: Double, _ length: Double) -> [(Int, [Double])] {
            let scale = length / Double(outSize)
            let fs = max(scale, 1)
            let support = 3 * fs
            return (0..<outSize).map { i in
                let center = offset + (Double(i) + 0.5) * scale
                let first = max(Int((center - support + 0.5).rounded(.down)), 0)
                let last = max(min(Int((center + support + 0.5).rounded(.down)), inSize), first + 1)
                var w = (first..<last).map { lanczos3((Double($0) - center + 0.5) / fs) }
                let total = w.reduce(0, +)
                w = w.map { $0 / total }
                return (first, w)
            }
        }
        let hx = axis(src.width, width, r.x, r.width)
        let vy = axis(src.height, height, r.y, r.height)
        var tmp = [Double](repeating: 0, count: width * src.height * 3)
        src.pixels.withUnsafeBufferPointer { px in
            for y in 0..<src.height {
                for (xo, (first, w)) in hx.enumerated() {
                    var a = (0.0, 0.0, 0.0)
                    for (k, wk) in w.enumerated() {
                        let p = (y * src.width + first + k) * 3
                        a.0 += wk * Double(px[p])
                        a.1 += wk * Double(px[p + 1])
                        a.2 += wk * Double(px[p + 2])
                    }
                    let q = (y * width + xo) * 3
                    tmp[q] = a.0
                    tmp[q + 1] = a.1
                    tmp[q + 2] = a.2
                }
            }
        }
        var out = [Double](repeating: 0, count: width * height * 3)
        for (yo, (first, w)) in vy.enumerated() {
            for (k, wk) in w.enumerated() {
                let rowIn = (first + k) * width * 3
                let rowOut = yo * width * 3
                for i in 0..<(width * 3) { out[rowOut + i] += wk * tmp[rowIn + i] }
            }
        }
        self.width = width
        self.height = height
        self.samples = out
    }

    /// The reference rounded to an 8-bit RGB image (the best any 8-bit thumbnail can be).
    public func rounded() -> PixelBuffer {
        // The shape is right by construction.
        try! PixelBuffer(width: width, height: height, channels: 3, pixels: samples.map { UInt8(min(max($0, 0), 255).rounded()) })
    }

    /// Peak signal-to-noise ratio in dB of an 8-bit image of the same size against this
    /// reference (RGB; alpha composited onto white). Infinite when identical.
    public func psnr(of image: PixelBuffer) throws -> Double {
        guard image.width == width, image.height == height else {
            throw ImageError(.invalidArgument, "PSNR needs equal sizes (\(image.width)x\(image.height) vs \(width)x\(height)).")
        }
        let rgb = image.removingAlpha()
        var sum = 0.0
        for i in 0..<samples.count {
            let d = Double(rgb.pixels[i]) - min(max(samples[i], 0), 255)
            sum += d * d
        }
        let mse = sum / Double(samples.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }
}
