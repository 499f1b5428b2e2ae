/// What a WebP's RIFF chunks say: the canvas (VP8X) or the frame header (VP8/VP8L), alpha and animation.
public struct WebPStructure: Sendable {
    /// The bitstream of the (first) image chunk.
    public enum Coding: Sendable, Equatable {
        /// `VP8 `: lossy.
        case lossy
        /// `VP8L`: lossless.
        case lossless
    }

    /// The VP8X canvas size, when the file has the extended header.
    public internal(set) var canvas: (width: Int, height: Int)?
    /// The first image chunk's coding and size from its frame header (nil when none is readable).
    public internal(set) var frame: (coding: Coding, width: Int, height: Int)?
    /// VP8X declares an animation (ANIM/ANMF frames).
    public internal(set) var isAnimated = false
    /// The image has alpha: the VP8X flag, an `ALPH` chunk or the VP8L header bit.
    public internal(set) var hasAlpha = false
    /// The RIFF size or a chunk runs past the end of the data.
    public internal(set) var isTruncated = false

    /// Walks the RIFF chunks. Size: the VP8X canvas, else the VP8 key frame header, else the
    /// VP8L header. EXIF: the first `EXIF` chunk (an `Exif\0\0` prefix is tolerated); XMP: the
    /// first `XMP ` chunk; ICC: the first `ICCP` chunk.
    static func scan(_ b: [UInt8]) -> ContainerScan {
        var result = ContainerScan(format: .webp, byteCount: b.count)
        var webp = WebPStructure()
        let r = ByteReads(bytes: b)
        let declared = 8 + Int(r.uintLE(4, size: 4) ?? 0)
        webp.isTruncated = declared > b.count
        let riffEnd = min(b.count, declared)
        var i = 12
        while i + 8 <= riffEnd, let type = r.fourCC(i), let size = r.uintLE(i + 4, size: 4).map(Int.init) {
            let start = i + 8
            guard size <= riffEnd - start else {
                webp.isTruncated = true
                break
            }
            let d = b[start..<(start + size)]
            switch type {
            case "VP8X" where size >= 10:
                let flags = b[start]
                webp.hasAlpha = webp.hasAlpha || flags & 0x10 != 0
                webp.isAnimated = flags & 0x02 != 0
                webp.canvas = (1 + Int(r.uintLE(start + 4, size: 3)!), 1 + Int(r.uintLE(start + 7, size: 3)!))
            case "VP8 " where size >= 10 && webp.frame == nil:
                // 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
                if b[start + 3] == 0x9D, b[start + 4] == 0x01, b[start + 5] == 0x2A {
                    let w = Int(r.uintLE(start + 6, size: 2)! & 0x3FFF)
                    let h = Int(r.uintLE(start + 8, size: 2)! & 0x3FFF)
                    webp.frame = (.lossy, w, h)
                }
            case "VP8L" where size >= 5 && webp.frame == nil:
                // Signature 0x2F, then 14-bit width-1, 14-bit height-1, alpha hint bit, 3-bit version.
                if b[start] == 0x2F {
                    let bits = r.uintLE(start + 1, size: 4)!
                    webp.frame = (.lossless, Int(bits & 0x3FFF) + 1, Int((bits >> 14) & 0x3FFF) + 1)
                    webp.hasAlpha = webp.hasAlpha || (bits >> 28) & 1 != 0
                }
            case "ALPH": webp.hasAlpha = true
            case "EXIF": result.keepEXIF(d)
            case "XMP ": result.keepXMP(d)
            case "ICCP" where result.iccProfile == nil && size >= 132 && size <= ContainerScan.maxICCBytes:
                result.iccProfile = .bytes(Array(d))
            default: break
            }
            i = start + size + (size & 1)
        }
        if let (w, h) = webp.canvas ?? webp.frame.map({ ($0.width, $0.height) }) { result.setSize(w, h) }
        result.webp = webp
        return result
    }
}
