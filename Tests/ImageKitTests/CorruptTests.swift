import Foundation
import Testing

@testable import ImageKit

@Suite("Corrupt and hostile input", .enabled(if: TestData.available, "needs ../shared/testdata"))
struct CorruptTests {
    /// Files in corrupt/ that are in fact complete, decodable images (see MANIFEST.tsv notes).
    static let decodable: Set<String> = [
        // "many 0xFF fill bytes before EOI (valid-ish, should decode)": fill bytes are legal.
        "multiple-0xff-before-eoi.jpg",
        // "junk bytes before markers": libjpeg skips them with an "extraneous bytes" warning only.
        "pillow_junk_jpeg_header.jpg",
        // "MPO with bad MP header": the first picture is a complete baseline JPEG.
        "pillow_sugarshack_bad_mpo_header.jpg",
        // "12 bytes XOR 0x5A inside entropy-coded data": the flipped bits still form valid Huffman
        // codes, so no decoder can tell (libjpeg-turbo raises no warning; Pillow decodes it too).
        "made_bitflip_testorig.jpg",
        // "PNG decompression DoS: huge compressed text chunk": the image itself is a valid 1x1;
        // libpng caps ancillary chunk decompression, so the text bomb is skipped, not inflated.
        "pillow_png_decompression_dos.png",
    ]

    @Test func everyCorruptFileIsRefusedWithATypedError() throws {
        let files = TestData.files("corrupt")
        #expect(files.count >= 48)
        for url in files {
            let name = url.lastPathComponent
            let bytes = try TestData.bytes(url)
            do {
                let image = try ImageDecoder.decode(bytes, options: DecodeOptions(maxPixels: ImageHeader.defaultMaxPixels))
                #expect(
                    Self.decodable.contains(name), "\(name) decoded to \(image.pixels.width)x\(image.pixels.height) but should be refused")
            } catch let error as ImageError {
                #expect(!Self.decodable.contains(name), "\(name) should decode: \(error)")
                #expect(!error.message.isEmpty)
            } catch {
                Issue.record("\(name): untyped error \(error)")
            }
        }
    }

    @Test func bombsAreRefusedFromTheHeaderBeforeDecoding() throws {
        for name in ["made_sof_60000x60000.jpg", "max_size.jpg", "its_6903d4538fd33c8fd0ded32cb30d618e.jpg"] {
            let bytes = try TestData.bytes(TestData.root.appendingPathComponent("corrupt/\(name)"))
            #expect(throws: ImageError.self) { try ImageHeader.read(bytes) }
            do { _ = try ImageHeader.read(bytes) } catch let e as ImageError { #expect(e.code == .tooLarge, "\(name): \(e)") }
        }
        // Truncated data is a typed truncation, not a partial image.
        for name in ["made_truncated_50pct_sharp_320x240_444.jpg", "sharp_truncated.jpg", "pillow_truncated_image.png"] {
            let bytes = try TestData.bytes(TestData.root.appendingPathComponent("corrupt/\(name)"))
            do {
                _ = try ImageDecoder.decode(bytes)
                Issue.record("\(name) decoded")
            } catch let e as ImageError {
                #expect(e.code == .truncated, "\(name): \(e)")
            }
        }
    }
}
