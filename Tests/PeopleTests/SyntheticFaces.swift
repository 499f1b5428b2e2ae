import People

/// Seeded descriptors: identities as random centres about 1.2 apart, faces as a centre plus
/// noise (faces of one identity about 0.35 apart), so the right grouping is known.
struct SyntheticFaces {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A normal sample (Box-Muller).
    mutating func gaussian() -> Float {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-12)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }

    mutating func vector(sigma: Float) -> [Float] { (0..<128).map { _ in gaussian() * sigma } }

    /// An identity's centre.
    mutating func centre() -> [Float] { vector(sigma: 0.075) }

    /// A face of the identity at `centre`.
    mutating func face(_ centre: [Float]) -> [Float] { zip(centre, vector(sigma: 0.022)).map { $0 + $1 } }

    /// `identities` x `perIdentity` faces, ids `"<identity>-<n>"` (zero-padded so they sort).
    mutating func album(identities: Int, perIdentity: Int) -> [PeopleFace] {
        var faces: [PeopleFace] = []
        for i in 0..<identities {
            let c = centre()
            for n in 0..<perIdentity { faces.append(PeopleFace(id: Self.id(i, n), descriptor: face(c))) }
        }
        return faces
    }

    static func id(_ identity: Int, _ n: Int) -> String {
        "\(String(identity + 10000).dropFirst())-\(String(n + 1000).dropFirst())"
    }

    /// The identity encoded in a synthetic face id.
    static func identity(of faceID: String) -> Int { Int(faceID.prefix(4))! }

    static func distance(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
}

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif
