import CZlib

/// How an image's colours are encoded, when it says so: an embedded ICC profile (JPEG APP2
/// chain, PNG `iCCP`, WebP `ICCP`, HEIF `colr` `prof`) or a HEIF/AVIF `colr` `nclx` description.
public enum ColorProfile: Sendable, Equatable {
    /// An ICC profile's bytes.
    case icc([UInt8])
    /// ITU-T H.273 colour primaries and transfer characteristics (`nclx`).
    case nclx(primaries: Int, transfer: Int)

    /// Profiles larger than this are ignored (real ones are a few KB; CMYK LUTs up to ~1 MB).
    static let maxICCBytes = 4 << 20

    /// Reassembles a JPEG's ICC profile from its APP2 `ICC_PROFILE\0` segments (sequence
    /// number, count, data), in sequence order. Nil when the chain is incomplete or inconsistent.
    static func jpegICC(_ chunks: [(sequence: Int, count: Int, data: ArraySlice<UInt8>)]) -> ColorProfile? {
        guard let count = chunks.first?.count, count > 0, chunks.count == count,
            chunks.allSatisfy({ $0.count == count && (1...count).contains($0.sequence) }),
            Set(chunks.map(\.sequence)).count == count
        else { return nil }
        let bytes = chunks.sorted { $0.sequence < $1.sequence }.flatMap { $0.data }
        return bytes.count >= 132 && bytes.count <= maxICCBytes ? .icc(bytes) : nil
    }

    /// The `APP2` identifier of an ICC chunk.
    static let jpegICCSignature: [UInt8] = Array("ICC_PROFILE".utf8) + [0]

    /// A PNG `iCCP` chunk's profile: name, NUL, method 0, zlib data. Nil when it does not inflate
    /// within 1 MB.
    static func pngICC(_ chunk: ArraySlice<UInt8>) -> ColorProfile? {
        guard let nul = chunk.prefix(80).firstIndex(of: 0), nul + 2 <= chunk.endIndex, chunk[nul + 1] == 0 else { return nil }
        let compressed = Array(chunk[(nul + 2)...])
        var out = [UInt8](repeating: 0, count: 1 << 20) // RGB and grey profiles are far smaller
        var length = uLongf(out.count)
        let status = out.withUnsafeMutableBufferPointer { dst in
            compressed.withUnsafeBufferPointer { src in uncompress(dst.baseAddress, &length, src.baseAddress, uLong(src.count)) }
        }
        guard status == Z_OK, length >= 132 else { return nil }
        return .icc(Array(out.prefix(Int(length))))
    }
}
