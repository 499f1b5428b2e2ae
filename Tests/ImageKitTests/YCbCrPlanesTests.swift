import CTurboJPEG
import Foundation
import ImageQuality
import Testing

@testable import ImageKit

@Suite("JPEG planes with fitted chroma")
struct YCbCrPlanesTests {
    /// Saturated colour stripes and blocks: the case where 2x2-averaged chroma blurs most.
    static func colourEdges(width: Int, height: Int) -> PixelBuffer {
        let palette: [[UInt8]] = [[230, 20, 30], [20, 40, 220], [250, 240, 20], [10, 160, 40], [255, 255, 255], [0, 0, 0]]
        var px: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                px += palette[((x / 3) + (y / 5) * 2) % palette.count]
            }
        }
        return try! PixelBuffer(width: width, height: height, channels: 3, pixels: px)
    }

    /// RGB from planes the way a decoder with fancy upsampling rebuilds it, cropped to the image.
    static func decode(_ p: YCbCrPlanes, width: Int, height: Int) -> [Double] {
        let cb = YCbCrPlanes.upsample(p.cb.map(Float.init), width: p.lumaWidth, height: p.lumaHeight)
        let cr = YCbCrPlanes.upsample(p.cr.map(Float.init), width: p.lumaWidth, height: p.lumaHeight)
        var out: [Double] = []
        for y in 0..<height {
            for x in 0..<width {
                let i = y * p.lumaWidth + x
                let l = Double(p.y[i])
                let u = Double(cb[i]) - 128
                let v = Double(cr[i]) - 128
                out += [l + 1.402 * v, l - 0.344136 * u - 0.714136 * v, l + 1.772 * u].map { min(max($0, 0), 255).rounded() }
            }
        }
        return out
    }

    static func psnr(_ a: [Double], _ image: PixelBuffer) -> Double {
        var sum = 0.0
        for (x, y) in zip(a, image.pixels) { sum += (x - Double(y)) * (x - Double(y)) }
        return 10 * log10(255 * 255 / (sum / Double(a.count)))
    }

    @Test("plane sizes pad odd images to even, as libjpeg's 4:2:0 planes are")
    func sizes() {
        for (w, h) in [(1, 1), (7, 5), (8, 6), (33, 2)] {
            let p = YCbCrPlanes(rgb: Self.colourEdges(width: w, height: h))
            #expect(p.lumaWidth == (w + 1) / 2 * 2 && p.lumaHeight == (h + 1) / 2 * 2)
            #expect(p.y.count == p.lumaWidth * p.lumaHeight && p.cb.count == p.chromaWidth * p.chromaHeight && p.cr.count == p.cb.count)
        }
    }

    @Test("flat colours and greys stay exact")
    func flat() throws {
        for rgb: [UInt8] in [[128, 128, 128], [0, 0, 0], [255, 255, 255], [200, 30, 90]] {
            let image = try PixelBuffer(width: 9, height: 7, channels: 3, pixels: Array([[UInt8]](repeating: rgb, count: 63).joined()))
            let p = YCbCrPlanes(rgb: image)
            let back = Self.decode(p, width: 9, height: 7)
            #expect(zip(back, image.pixels).allSatisfy { abs($0 - Double($1)) <= 1 }, "\(rgb)")
        }
    }

    @Test("upsampling is libjpeg's triangle filter")
    func triangle() {
        // 2x2 half plane [0 16; 32 48] -> row 0 = (3*near + far)/4 vertically, then horizontally.
        let up = YCbCrPlanes.upsample([0, 16, 32, 48], width: 4, height: 4)
        #expect(up[0] == 0 && up[1] == 4 && up[2] == 12 && up[3] == 16)
        #expect(up[4] == 8 && up[5] == 12)
        #expect(up[12] == 32 && up[15] == 48)
    }

    @Test("fitted chroma rebuilds colour edges closer than 2x2 averaging, before any quantisation")
    func fittedBeatsBoxAverage() {
        let image = Self.colourEdges(width: 61, height: 47)
        let fitted = Self.psnr(Self.decode(YCbCrPlanes(rgb: image), width: 61, height: 47), image)
        let averaged = Self.psnr(Self.decode(YCbCrPlanes(rgb: image, iterations: 0), width: 61, height: 47), image)
        #expect(fitted > averaged + 1, "fitted \(fitted) dB, averaged \(averaged) dB")
    }

    @Test("a JPEG from fitted planes is closer to the source than libjpeg's own 4:2:0 at the same quality")
    func jpegBeatsLibjpegDownsampling() throws {
        let image = Self.colourEdges(width: 120, height: 90)
        let ours = try ImageDecoder.decode(ImageEncoder.encode(image, options: EncodeOptions(format: .jpeg, quality: 85))).pixels
        let handle = try TurboJPEGHandle(compress: true)
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer { src in
            tjCompress2(
                handle.raw, src.baseAddress, 120, 0, 90, Int32(TJPF_RGB.rawValue), &output, &size,
                Int32(TJSAMP_420.rawValue), 85, TJFLAG_ACCURATEDCT)
        }
        try #require(status == 0 && output != nil)
        let libjpeg = Array(UnsafeBufferPointer(start: output, count: Int(size)))
        tjFree(output)
        let theirs = try ImageDecoder.decode(libjpeg).pixels
        let reference = try ReferenceImage(resizing: image, width: 120, height: 90)
        #expect(try reference.psnr(of: ours) > reference.psnr(of: theirs) + 0.3)
    }
}
