/// An 8-bit image in memory: rows top to bottom, pixels interleaved `r, g, b` or `r, g, b, a`.
///
/// The one pixel type ImageKit's decoders produce and its resampler and encoders consume.
/// Alpha, when present, is straight (not premultiplied), as in PNG and WebP files.
public struct PixelBuffer: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// 3 (RGB) or 4 (RGBA).
    public let channels: Int
    /// `width * height * channels` bytes, row-major, no padding.
    public var pixels: [UInt8]

    /// Wraps pixels, checking the shape.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0, channels == 3 || channels == 4 else {
            throw ImageError(
                .invalidArgument, "A pixel buffer needs a positive size and 3 or 4 channels (got \(width)x\(height)x\(channels)).")
        }
        guard
            width.multipliedReportingOverflow(by: height).partialValue.multipliedReportingOverflow(by: channels).partialValue
                == pixels.count,
            pixels.count / channels / height == width
        else {
            throw ImageError(
                .invalidArgument, "Pixel data has \(pixels.count) bytes, \(width)x\(height)x\(channels) needs \(width * height * channels)."
            )
        }
        self.init(uncheckedWidth: width, height: height, channels: channels, pixels: pixels)
    }

    /// Internal initialiser for shapes already known to be right.
    init(uncheckedWidth width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        assert(pixels.count == width * height * channels)
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// True when there is an alpha channel.
    public var hasAlpha: Bool { channels == 4 }

    /// True when some pixel is not fully opaque.
    public var hasTransparency: Bool {
        guard channels == 4 else { return false }
        return pixels.withUnsafeBufferPointer { p in
            var i = 3
            while i < p.count {
                if p[i] != 255 { return true }
                i += 4
            }
            return false
        }
    }

    /// An RGB copy: alpha removed by compositing onto `background` (white by default).
    public func removingAlpha(background: (r: UInt8, g: UInt8, b: UInt8) = (255, 255, 255)) -> PixelBuffer {
        guard channels == 4 else { return self }
        let n = width * height
        var out = [UInt8](repeating: 0, count: n * 3)
        let bg = [Int(background.r), Int(background.g), Int(background.b)]
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    let a = Int(src[4 * i + 3])
                    for c in 0..<3 {
                        let v = Int(src[4 * i + c]) * a + bg[c] * (255 - a)
                        dst[3 * i + c] = UInt8((v + 127) / 255)
                    }
                }
            }
        }
        return PixelBuffer(uncheckedWidth: width, height: height, channels: 3, pixels: out)
    }
}
