/// A transformative property of a HEIF image item (ISO/IEC 23008-12 6.5.10-12), as libheif 1.15
/// reads it: the decoder applies them to the decoded image in the order the item's `ipma` entry
/// lists them.
public enum HEIFTransform: Sendable, Equatable {
    /// `irot`: turn the image anticlockwise by `quarterTurns` * 90 degrees (0...3).
    case rotation(quarterTurns: Int)
    /// `imir`: mirror left to right when `leftRight` (axis bit 1, as libheif reads it), else top to bottom.
    case mirror(leftRight: Bool)
    /// `clap`: crop to the clean aperture.
    case cleanAperture(HEIFCleanAperture)

    /// Reads an `irot`, `imir` or `clap` property box; nil for other types. Throws nothing: a
    /// body too short for its fields, or a `clap` libheif refuses, reads as `.invalid`.
    static func read(_ type: String, body: ArraySlice<UInt8>) -> Read? {
        switch type {
        case "irot": return body.first.map { .transform(.rotation(quarterTurns: Int($0 & 3))) } ?? .invalid
        case "imir": return body.first.map { .transform(.mirror(leftRight: $0 & 1 != 0)) } ?? .invalid
        case "clap": return HEIFCleanAperture(Array(body)).map { .transform(.cleanAperture($0)) } ?? .invalid
        default: return nil
        }
    }

    /// What reading a property gave.
    enum Read {
        case transform(HEIFTransform)
        case invalid
    }
}

/// A `clap` (clean aperture) property: the crop's size and its centre's offset from the image
/// centre, as fractions. The crop is computed exactly as libheif 1.15 does (its integer
/// fractions, reduced below 2^16, and its rounding), so the pixels match its decode.
public struct HEIFCleanAperture: Sendable, Equatable {
    let width: Fraction
    let height: Fraction
    let horizontalOffset: Fraction
    let verticalOffset: Fraction

    /// Reads the box body (eight 32-bit numbers); nil when shorter, or when libheif would refuse
    /// it (a size or denominator above 2^31 - 1, or a zero denominator after reduction).
    init?(_ body: [UInt8]) {
        let r = ByteReads(bytes: body)
        guard body.count >= 32 else { return nil }
        let v = (0..<8).map { r.u32(4 * $0)! }
        let limit = UInt32(Int32.max)
        guard v[0] <= limit, v[1] <= limit, v[2] <= limit, v[3] <= limit, v[5] <= limit, v[7] <= limit else { return nil }
        width = Fraction(Int32(v[0]), Int32(v[1]))
        height = Fraction(Int32(v[2]), Int32(v[3]))
        horizontalOffset = Fraction(Int32(bitPattern: v[4]), Int32(v[5]))
        verticalOffset = Fraction(Int32(bitPattern: v[6]), Int32(v[7]))
        guard [width, height, horizontalOffset, verticalOffset].allSatisfy({ $0.denominator != 0 }) else { return nil }
    }

    /// The crop of an image `imageWidth` by `imageHeight` (both > 0): libheif's rounded edges,
    /// clamped to the image; nil when the aperture is empty or its arithmetic divides by zero.
    public func crop(imageWidth: Int, imageHeight: Int) -> (x: Int, y: Int, width: Int, height: Int)? {
        guard imageWidth > 0, imageHeight > 0, imageWidth <= Int(Int32.max), imageHeight <= Int(Int32.max) else { return nil }
        let w = Int32(imageWidth)
        let h = Int32(imageHeight)
        // left = horizOff + (w - 1)/2 - (clapWidth - 1)/2, rounded down; right = clapWidth - 1 + left, rounded.
        let halfWidth = (width - 1) / 2
        let halfHeight = (height - 1) / 2
        guard let leftRaw = (horizontalOffset + Fraction(w &- 1, 2) - halfWidth).roundedDown(),
            let rightRaw = (width - 1 + leftRaw).rounded(),
            let topRaw = (verticalOffset + Fraction(h &- 1, 2) - halfHeight).rounded(),
            let bottomRaw = (height - 1 + topRaw).rounded()
        else { return nil }
        let left = max(leftRaw, 0)
        let top = max(topRaw, 0)
        let right = min(rightRaw, w - 1)
        let bottom = min(bottomRaw, h - 1)
        guard left <= right, top <= bottom else { return nil }
        return (Int(left), Int(top), Int(right) - Int(left) + 1, Int(bottom) - Int(top) + 1)
    }
}

/// libheif 1.15's `Fraction`: 32-bit numerator and denominator, halved together until both are
/// within 2^16 after every operation. Arithmetic wraps as the C code does; divisions are checked.
struct Fraction: Sendable, Equatable {
    private(set) var numerator: Int32
    private(set) var denominator: Int32
    static let maximum: Int32 = 0x10000

    init(_ numerator: Int32, _ denominator: Int32) {
        var n = numerator
        var d = denominator
        while d > Self.maximum || d < -Self.maximum {
            n /= 2
            d /= 2
        }
        while n > Self.maximum || n < -Self.maximum {
            n /= 2
            d /= 2
        }
        self.numerator = n
        self.denominator = d
    }

    static func + (a: Fraction, b: Fraction) -> Fraction {
        if a.denominator == b.denominator { return Fraction(a.numerator &+ b.numerator, a.denominator) }
        return Fraction(a.numerator &* b.denominator &+ b.numerator &* a.denominator, a.denominator &* b.denominator)
    }

    static func - (a: Fraction, b: Fraction) -> Fraction {
        if a.denominator == b.denominator { return Fraction(a.numerator &- b.numerator, a.denominator) }
        return Fraction(a.numerator &* b.denominator &- b.numerator &* a.denominator, a.denominator &* b.denominator)
    }

    static func + (a: Fraction, v: Int32) -> Fraction { Fraction(a.numerator &+ v &* a.denominator, a.denominator) }
    static func - (a: Fraction, v: Int32) -> Fraction { Fraction(a.numerator &- v &* a.denominator, a.denominator) }
    static func / (a: Fraction, v: Int32) -> Fraction { Fraction(a.numerator, a.denominator &* v) }

    /// numerator / denominator, truncated toward zero (C's `round_down`); nil for a zero denominator.
    func roundedDown() -> Int32? { Self.quotient(numerator, denominator) }

    /// (numerator + denominator / 2) / denominator (C's `round`); nil for a zero denominator.
    func rounded() -> Int32? { Self.quotient(numerator &+ denominator / 2, denominator) }

    private static func quotient(_ n: Int32, _ d: Int32) -> Int32? {
        guard d != 0 else { return nil }
        let (q, overflow) = n.dividedReportingOverflow(by: d)
        return overflow ? nil : q
    }
}
