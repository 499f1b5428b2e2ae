/// EXIF orientation (tag 0x0112): how the stored pixels must be turned to show the photo upright.
///
/// Cameras store the sensor's pixels as they came and record the rotation; thumbnails and face
/// detection must see the photo the way a person does, so ImageKit applies it.
public enum Orientation: Int, Sendable, CaseIterable, Codable {
    /// 1: stored upright.
    case up = 1
    /// 2: mirrored left to right.
    case upMirrored = 2
    /// 3: rotated 180 degrees.
    case down = 3
    /// 4: mirrored top to bottom.
    case downMirrored = 4
    /// 5: mirrored along the top-left to bottom-right diagonal (transpose).
    case leftMirrored = 5
    /// 6: must be rotated 90 degrees clockwise to display.
    case right = 6
    /// 7: mirrored along the top-right to bottom-left diagonal (transverse).
    case rightMirrored = 7
    /// 8: must be rotated 90 degrees counter-clockwise to display.
    case left = 8

    /// True when the displayed image's width is the stored image's height (values 5-8).
    public var swapsDimensions: Bool { rawValue >= 5 }

    /// The displayed size of a stored image of the given size.
    public func displayedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        swapsDimensions ? (height, width) : (width, height)
    }

    /// Maps a point given in displayed coordinates, normalised to 0...1, to the stored image's
    /// normalised coordinates (used to carry a crop centre through the rotation).
    public func storedPoint(fromDisplayed p: (x: Double, y: Double)) -> (x: Double, y: Double) {
        switch self {
        case .up: (p.x, p.y)
        case .upMirrored: (1 - p.x, p.y)
        case .down: (1 - p.x, 1 - p.y)
        case .downMirrored: (p.x, 1 - p.y)
        case .leftMirrored: (p.y, p.x)
        case .right: (p.y, 1 - p.x)
        case .rightMirrored: (1 - p.y, 1 - p.x)
        case .left: (1 - p.y, p.x)
        }
    }

    /// The stored pixel that appears at displayed pixel (x, y), for a stored image `w` by `h`.
    @inline(__always)
    func storedPixel(x: Int, y: Int, w: Int, h: Int) -> (x: Int, y: Int) {
        switch self {
        case .up: (x, y)
        case .upMirrored: (w - 1 - x, y)
        case .down: (w - 1 - x, h - 1 - y)
        case .downMirrored: (x, h - 1 - y)
        case .leftMirrored: (y, x)
        case .right: (y, h - 1 - x)
        case .rightMirrored: (w - 1 - y, h - 1 - x)
        case .left: (w - 1 - y, x)
        }
    }
}

extension PixelBuffer {
    /// The image as displayed under `orientation` (a copy; `.up` returns `self`).
    public func applying(_ orientation: Orientation) -> PixelBuffer {
        if orientation == .up { return self }
        let (outW, outH) = orientation.displayedSize(width: width, height: height)
        let ch = channels
        let w = width
        let h = height
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outH {
                    // The stored pixel moves linearly along a displayed row: find its start and step.
                    let p0 = orientation.storedPixel(x: 0, y: y, w: w, h: h)
                    let p1 = outW > 1 ? orientation.storedPixel(x: 1, y: y, w: w, h: h) : p0
                    let step = ((p1.y - p0.y) * w + (p1.x - p0.x)) * ch
                    var s = (p0.y * w + p0.x) * ch
                    var d = y * outW * ch
                    for _ in 0..<outW {
                        for c in 0..<ch { dst[d + c] = src[s + c] }
                        s += step
                        d += ch
                    }
                }
            }
        }
        return PixelBuffer(uncheckedWidth: outW, height: outH, channels: ch, pixels: out)
    }
}
