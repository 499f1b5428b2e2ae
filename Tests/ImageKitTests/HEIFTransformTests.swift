import Foundation
import Testing

@testable import ContainerKit
@testable import ImageKit

/// `irot`/`imir`/`clap` applied once by ImageKit (`HEIFGeometry`) instead of by libheif: the same
/// pixels and thumbnails as libheif's own transforms (heif-convert's decode).
@Suite("HEIF transforms applied by ImageKit")
struct HEIFTransformTests {
    @Test("composing orientations is applying them one after the other")
    func composition() throws {
        let image = try numbered(width: 3, height: 2)
        for a in Orientation.allCases {
            for b in Orientation.allCases {
                #expect(image.applying(a).applying(b) == image.applying(a.followed(by: b)), "\(a) then \(b)")
            }
        }
        // irot 1 is a quarter turn anticlockwise (EXIF 8), irot 3 clockwise (EXIF 6), as iPhones write.
        #expect(try HEIFGeometry([.rotation(quarterTurns: 1)], width: 4, height: 3).orientation == .left)
        #expect(try HEIFGeometry([.rotation(quarterTurns: 3)], width: 4, height: 3).orientation == .right)
        #expect(try HEIFGeometry([.mirror(leftRight: true), .mirror(leftRight: false)], width: 4, height: 3).orientation == .down)
    }

    @Test("a clap after a rotation crops what the rotation shows, mapped back to coded pixels")
    func clapAfterRotation() throws {
        // A 2-wide, 1-high clean aperture centred (offsets 0): after a quarter turn anticlockwise a
        // 4x3 image is 3x4, and libheif rounds its left edge down (0.5 -> 0) and its top edge half
        // up (1.5 -> 2).
        let clap = try #require(HEIFCleanAperture(clapBody(width: 2, height: 1)))
        #expect(clap.crop(imageWidth: 3, imageHeight: 4).map { [$0.x, $0.y, $0.width, $0.height] } == [0, 2, 2, 1])
        let g = try HEIFGeometry([.rotation(quarterTurns: 1), .cleanAperture(clap)], width: 4, height: 3)
        let coded = try numbered(width: 4, height: 3)
        let libheifWay = try crop(coded.applying(.left), x: 0, y: 2, width: 2, height: 1)
        let ours = try crop(coded, x: g.x, y: g.y, width: g.width, height: g.height).applying(g.orientation)
        #expect(ours == libheifWay)
        // Before the rotation, the same aperture crops the 4x3 image itself.
        let first = try HEIFGeometry([.cleanAperture(clap), .rotation(quarterTurns: 1)], width: 4, height: 3)
        #expect((first.x, first.y, first.width, first.height, first.orientation) == (1, 1, 2, 1, .left))
        // An aperture that leaves nothing is refused, as libheif refuses it.
        let outside = try #require(HEIFCleanAperture(clapBody(width: 2, height: 1, horizontalOffset: 100)))
        #expect(throws: ImageError.self) { try HEIFGeometry([.cleanAperture(outside)], width: 4, height: 3) }
    }

    @Test(
        "every irot/imir/clap combination decodes to heif-convert's pixels, and its thumbnails to those of heif-convert's decode",
        .enabled(if: TestData.phoneAvailable, "needs ../shared/testdata/phone"),
        .enabled(if: TestData.heifConvertAvailable, "needs heif-convert (libheif-examples)"))
    func combinationsMatchLibheif() throws {
        // The shared AVIF with clap, irot and imir (ipma order clap, irot, imir), rewritten in place
        // to every rotation, both mirror axes and the clap first, between and last.
        let source = try TestData.bytes(TestData.root.appendingPathComponent("phone/avif/linku_kimono.mirror-vertical.rotate270.crop.avif"))
        let irot = try #require(Self.find("irot", in: source)) + 4
        let imir = try #require(Self.find("imir", in: source)) + 4
        let order = try #require(Self.find([0x88, 0x82, 0x83], in: source)) // clap, irot, imir associations
        let orders: [[UInt8]] = [[0x88, 0x82, 0x83], [0x82, 0x88, 0x83], [0x82, 0x83, 0x88]]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("heif-transforms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var variants: [(name: String, bytes: [UInt8])] = []
        for turns in 0..<4 {
            for axis in 0..<2 {
                for (k, o) in orders.enumerated() {
                    var bytes = source
                    bytes[irot] = UInt8(turns)
                    bytes[imir] = UInt8(axis)
                    bytes.replaceSubrange(order..<(order + 3), with: o)
                    variants.append(("irot\(turns)-imir\(axis)-clap\(k).avif", bytes))
                }
            }
        }
        for v in variants { try Data(v.bytes).write(to: dir.appendingPathComponent(v.name)) }
        _ = try TestData.run([
            "sh", "-c", "cd \"$1\" && for f in *.avif; do heif-convert \"$f\" \"$f.png\" >/dev/null 2>&1; done", "_", dir.path,
        ])
        var compared = 0
        for v in variants {
            let png = dir.appendingPathComponent(v.name + ".png")
            guard let reference = try? TestData.bytes(png) else {
                // libheif refused it (a clap outside the turned image): so do we.
                #expect(throws: ImageError.self, "\(v.name)") { try ImageDecoder.decode(v.bytes) }
                continue
            }
            let header = try ImageHeader.read(v.bytes)
            #expect(header.heifTransforms?.count == 3, "\(v.name): ImageKit applies the transforms, not libheif")
            let ours = try ImageDecoder.decode(v.bytes, options: DecodeOptions(colorManaged: false)).pixels
            let theirs = try ImageDecoder.decode(reference, options: DecodeOptions(applyOrientation: false, colorManaged: false)).pixels
            #expect((ours.width, ours.height) == (theirs.width, theirs.height), "\(v.name)")
            #expect((header.displayedWidth, header.displayedHeight) == (theirs.width, theirs.height), "\(v.name): header size")
            guard (ours.width, ours.height) == (theirs.width, theirs.height) else { continue }
            #expect(HEIFDecodeTests.psnr(ours, theirs) >= 45, "\(v.name): \(HEIFDecodeTests.psnr(ours, theirs)) dB")
            // Thumbnails: resampled in stored orientation, then turned, against libheif's upright decode resampled.
            let sizes = ["200", "120x90c"].compactMap(ThumbnailSize.init)
            let a = try Thumbnailer.make(from: v.bytes, sizes: sizes, colorManaged: false).thumbnails
            let b = try Thumbnailer.make(from: reference, sizes: sizes, colorManaged: false).thumbnails
            for (x, y) in zip(a, b) {
                #expect((x.image.width, x.image.height) == (y.image.width, y.image.height), "\(v.name) \(x.size)")
                if (x.image.width, x.image.height) == (y.image.width, y.image.height) {
                    #expect(
                        HEIFDecodeTests.psnr(x.image, y.image) >= 45, "\(v.name) \(x.size): \(HEIFDecodeTests.psnr(x.image, y.image)) dB")
                }
            }
            compared += 1
        }
        #expect(compared >= 12, "most combinations keep the aperture inside the image")
    }

    @Test(
        "iPhone HEICs: irot read from the file as the EXIF orientation it amounts to; an EXIF orientation alone is ignored",
        .enabled(if: TestData.phoneAvailable, "needs ../shared/testdata/phone"))
    func iPhoneRotation() throws {
        func header(_ name: String) throws -> ImageHeader {
            try ImageHeader.read(TestData.bytes(TestData.root.appendingPathComponent("phone/heic/\(name)")))
        }
        // irot 3 (EXIF 6) and irot 1 (EXIF 8): stored size is the coded one, turned when shown.
        let back = try header("photoprism_iphone_15_pro.heic")
        #expect((back.width, back.height, back.orientation) == (4032, 3024, .right))
        #expect((back.displayedWidth, back.displayedHeight) == (3024, 4032))
        #expect(try header("tifig_1_portrait.heic").orientation == .left)
        // EXIF orientation 6 without irot: libheif leaves it as stored, and so do we.
        #expect(try header("libvips_Example1.heic").orientation == .up)
    }

    // MARK: helpers

    static func find(_ pattern: String, in bytes: [UInt8]) -> Int? { find(Array(pattern.utf8), in: bytes) }

    static func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        return (0...(bytes.count - pattern.count)).first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) }
    }

    /// An RGB image whose pixel i is (i, i, i).
    func numbered(width: Int, height: Int) throws -> PixelBuffer {
        try PixelBuffer(
            width: width, height: height, channels: 3, pixels: (0..<(width * height)).flatMap { [UInt8($0), UInt8($0), UInt8($0)] })
    }

    func crop(_ image: PixelBuffer, x: Int, y: Int, width: Int, height: Int) throws -> PixelBuffer {
        var out: [UInt8] = []
        for row in y..<(y + height) {
            out += image.pixels[((row * image.width + x) * image.channels)..<((row * image.width + x + width) * image.channels)]
        }
        return try PixelBuffer(width: width, height: height, channels: image.channels, pixels: out)
    }

    func clapBody(width: Int, height: Int, horizontalOffset: Int = 0) -> [UInt8] {
        [width, 1, height, 1, horizontalOffset, 1, 0, 1].flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }
    }
}
