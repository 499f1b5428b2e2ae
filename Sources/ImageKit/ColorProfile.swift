import CZlib
import ContainerKit

/// How an image's colours are encoded, when it says so: an embedded ICC profile (JPEG APP2
/// chain, PNG `iCCP`, WebP `ICCP`, HEIF `colr` `prof`) or a HEIF/AVIF `colr` `nclx` description.
public enum ColorProfile: Sendable, Equatable {
    /// An ICC profile's bytes.
    case icc([UInt8])
    /// ITU-T H.273 colour primaries and transfer characteristics (`nclx`).
    case nclx(primaries: Int, transfer: Int)

    /// The profile a container scan found (ContainerKit reassembles JPEG chains; PNG `iCCP`
    /// streams are inflated here, where zlib is linked). Nil when a PNG profile does not inflate.
    init?(_ embedded: EmbeddedICCProfile) {
        switch embedded {
        case .bytes(let bytes): self = .icc(bytes)
        case .zlib(let stream):
            guard let bytes = Self.inflate(stream) else { return nil }
            self = .icc(bytes)
        }
    }

    /// A PNG `iCCP` zlib stream inflated, nil when it does not inflate within 1 MB or is too
    /// short to be a profile.
    static func inflate(_ compressed: [UInt8]) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 1 << 20) // RGB and grey profiles are far smaller
        var length = uLongf(out.count)
        let status = out.withUnsafeMutableBufferPointer { dst in
            compressed.withUnsafeBufferPointer { src in uncompress(dst.baseAddress, &length, src.baseAddress, uLong(src.count)) }
        }
        guard status == Z_OK, length >= 132 else { return nil }
        return Array(out.prefix(Int(length)))
    }
}
