import Foundation
import Testing

@testable import ImageKit

/// HEIC/HEIF and AVIF from `testdata/phone` against libheif's own reference decoder
/// (`heif-convert`, which applies `irot`/`imir`/`clap` and writes 16-bit PNGs for deep images).
@Suite("Decoding HEIC and AVIF", .enabled(if: TestData.phoneAvailable, "needs ../shared/testdata/phone"))
struct HEIFDecodeTests {
    /// A real file libheif 1.15 (the reference decoder too) cannot read: an Apple gain-map HEIC
    /// ("Too many auxiliary image references").
    static let referenceFailures: Set<String> = ["libvips_apple-heic-gainmap.heic"]
    /// A burst heif-convert refuses by its brand (`msf1` only); we decode its primary image.
    static let noReference: Set<String> = ["nokia_bird_burst.heic"]

    static var realFiles: [URL] {
        TestData.files("phone/heic")
            + TestData.files("phone/avif", extensions: ["avif"])
            .filter { $0.pathExtension != "json" }
    }

    /// PSNR in dB of `a` against `b` (same shape; alpha composited onto white).
    static func psnr(_ a: PixelBuffer, _ b: PixelBuffer) -> Double {
        let x = a.removingAlpha().pixels
        let y = b.removingAlpha().pixels
        var sum = 0.0
        for i in 0..<x.count {
            let d = Double(x[i]) - Double(y[i])
            sum += d * d
        }
        let mse = sum / Double(x.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }

    @Test(
        "every real HEIC/AVIF decodes to heif-convert's pixels (PSNR >= 45 dB, same size and orientation)",
        .enabled(if: TestData.heifConvertAvailable, "needs heif-convert (libheif-examples)"))
    func matchesHeifConvert() throws {
        let files = Self.realFiles.filter { $0.pathExtension != "json" }
        #expect(files.count >= 25)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("heif-ref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // heif-convert two at a time, as REFERENCE.md runs it; heif-info names the primary image.
        // heif-convert spends ~70 s of CPU writing these PNGs (zlib on 12 MP), so its outputs are
        // kept between runs in the temporary folder, by the file's SHA-256 and libheif's version,
        // each set moved into place whole; the comparisons are made on every run all the same.
        let script = #"""
            dir="$1"; shift
            version=$(heif-convert -h 2>&1 | grep -o 'libheif version: [0-9.]*' | head -n 1 | cut -d ' ' -f 3)
            cache="${TMPDIR:-/tmp}/imagicon-heif-references-${version:-unknown}"
            mkdir -p "$cache"
            printf '%s\0' "$@" | xargs -0 -P 2 -I{} sh -c '
              f="$1"; dir="$2"; cache="$3"; b=$(basename "$f")
              key="$cache/$(sha256sum < "$f" | cut -c 1-40)"
              if [ ! -f "$key/done" ]; then
                work=$(mktemp -d "$cache/.work.XXXXXX") || exit 1
                (cd "$work" && { heif-convert "$f" ref.png >/dev/null 2>&1; heif-info "$f" > info 2>/dev/null; touch done; })
                rm -rf "$key"; mv -T "$work" "$key" 2>/dev/null || rm -rf "$work"
              fi
              for p in "$key"/ref*.png; do [ -e "$p" ] && ln -sf "$p" "$dir/$b.${p##*/}"; done
              ln -sf "$key/info" "$dir/$b.info"' _ {} "$dir" "$cache"
            """#
        try TestData.run(
            ["sh", "-c", script, "_", dir.path] + files.filter { !Self.referenceFailures.contains($0.lastPathComponent) }.map(\.path))
        for url in files {
            let name = url.lastPathComponent
            let bytes = try TestData.bytes(url)
            if Self.referenceFailures.contains(name) {
                do {
                    _ = try ImageDecoder.decode(bytes)
                    Issue.record("\(name): libheif 1.15 cannot read it, yet it decoded")
                } catch let error as ImageError {
                    #expect(error.code == .corrupt, "\(name): \(error)")
                }
                continue
            }
            if Self.noReference.contains(name) {
                let decoded = try ImageDecoder.decode(bytes)
                #expect(decoded.pixels.width > 0 && decoded.pixels.height > 0)
                continue
            }
            // Multi-image files give one PNG per top-level image (ref-1, ref-2...): pick the primary's.
            let info = (try? String(contentsOf: dir.appendingPathComponent(name + ".info"), encoding: .utf8)) ?? ""
            let images = info.split(separator: "\n").filter { $0.hasPrefix("image: ") }
            let single = dir.appendingPathComponent(name + ".ref.png").path
            let primary = (images.firstIndex { $0.hasSuffix(", primary") } ?? 0) + 1
            let multi = dir.appendingPathComponent(name + ".ref-\(primary).png").path
            guard let refPath = [single, multi].first(where: FileManager.default.fileExists(atPath:)) else {
                Issue.record("\(name): no reference PNG (heif-convert failed)")
                continue
            }
            let reference = try ImageDecoder.decode(
                TestData.bytes(URL(fileURLWithPath: refPath)), options: DecodeOptions(applyOrientation: false, colorManaged: false))
            let decoded: DecodedImage
            // Stored colours: heif-convert does not apply the ICC profile or nclx either.
            do { decoded = try ImageDecoder.decode(bytes, options: DecodeOptions(colorManaged: false)) } catch {
                Issue.record("\(name): \(error)")
                continue
            }
            #expect(decoded.header.format == (url.pathExtension.lowercased() == "avif" ? .avif : .heic), "\(name)")
            let px = decoded.pixels
            let ref = reference.pixels
            guard px.width == ref.width, px.height == ref.height, px.channels == ref.channels else {
                Issue.record("\(name): \(px.width)x\(px.height)x\(px.channels) vs heif-convert \(ref.width)x\(ref.height)x\(ref.channels)")
                continue
            }
            #expect((px.width, px.height) == (decoded.header.displayedWidth, decoded.header.displayedHeight), "\(name): header size")
            let db = Self.psnr(px, ref)
            #expect(db >= 45, "\(name): PSNR \(db) dB against heif-convert")
        }
    }

    @Test("grids, transforms, alpha and 10-bit: sizes and channels as declared")
    func shapes() throws {
        func decode(_ path: String) throws -> DecodedImage {
            try ImageDecoder.decode(TestData.bytes(TestData.root.appendingPathComponent(path)))
        }
        // irot 90 + imir + clap: libheif's transforms, applied once.
        let crop = try decode("phone/avif/linku_kimono.mirror-vertical.rotate270.crop.avif")
        let plain = try decode("phone/avif/linku_kimono.avif")
        #expect(crop.pixels.width < plain.pixels.height && crop.pixels.height < plain.pixels.width)
        let rotated = try decode("phone/avif/linku_kimono.rotate90.avif")
        #expect((rotated.pixels.width, rotated.pixels.height) == (plain.pixels.width, plain.pixels.height))
        #expect(Self.psnr(rotated.pixels, plain.pixels) > 30, "rotate90 + irot shows the same upright picture")
        // Alpha: RGBA.
        let alpha = try decode("phone/avif/linku_plum-blossom-large.profile0.10bpc.yuv420.alpha-full.avif")
        #expect(alpha.header.hasAlpha && alpha.pixels.channels == 4)
        // 5x4 AV1 grid: one picture of the declared size.
        let grid = try decode("phone/avif/ms_Summer_in_Tomsk_720p_5x4_grid.avif")
        #expect(grid.pixels.width > 1280 && grid.pixels.channels == 3)
    }

    @Test("10/12-bit images count twice against the pixel limit (they decode through 16-bit planes)")
    func deepImagesCountTwice() throws {
        func read(_ path: String, _ limit: Int) throws -> ImageHeader {
            try ImageHeader.read(TestData.bytes(TestData.root.appendingPathComponent(path)), maxPixels: limit)
        }
        // A 10-bit 4240x2832 (12.0 MP) HIF needs a 24 MP limit; an 8-bit 4032x3024 (12.2 MP) HEIC passes 20 MP.
        do {
            _ = try read("phone/heic/pillow_heif_cat.hif", 20_000_000)
            Issue.record("a 12 MP 10-bit HEIF passed a 20 MP limit")
        } catch let error as ImageError {
            #expect(error.code == .tooLarge && error.message.contains("16-bit"), "\(error)")
        }
        let deep = try read("phone/heic/pillow_heif_cat.hif", 2 * 4240 * 2832)
        #expect(deep.bytesPerSample == 2 && deep.width == 4240)
        #expect(try read("phone/heic/photoprism_iphone_15_pro.heic", 20_000_000).bytesPerSample == 1)
    }

    @Test("10-bit samples are rounded to 8 bits, not truncated")
    func deepSamplesRound() {
        // v * 255 / 1023 rounded: 1023 -> 255, 2 -> 0.4985 -> 0, 3 -> 0.748 -> 1, 514 -> 128.12 -> 128.
        func eight(_ v: UInt32, bits: Int) -> UInt8 { HEIFDecodedImage.eightBit(v, maximum: UInt32((1 << bits) - 1)) }
        #expect(eight(1023, bits: 10) == 255)
        #expect(eight(3, bits: 10) == 1)
        #expect(eight(2, bits: 10) == 0)
        #expect(eight(4095, bits: 12) == 255)
    }

    @Test("sniffing: ftyp brands name the format; other ISO media files are refused clearly")
    func sniffing() throws {
        func ftyp(_ major: String, _ compatible: [String]) -> [UInt8] {
            let body = Array(major.utf8) + [0, 0, 0, 0] + compatible.flatMap { Array($0.utf8) }
            let size = 8 + body.count
            return [0, 0, 0, UInt8(size)] + Array("ftyp".utf8) + body + [UInt8](repeating: 0, count: 16)
        }
        #expect(ImageFormat.sniff(ftyp("heic", ["mif1", "heic"])) == .heic)
        #expect(ImageFormat.sniff(ftyp("mif1", ["avif", "miaf"])) == .avif)
        #expect(ImageFormat.sniff(ftyp("avif", ["mif1"])) == .avif)
        #expect(ImageFormat.sniff(ftyp("isom", ["iso2", "mp41"])) == nil)
        #expect(
            throws: ImageError(
                .unsupportedFormat, "Not a JPEG, PNG, WebP, HEIC or AVIF image (an ISO media file that is not HEIF (e.g. MP4)).")
        ) {
            try ImageHeader.read(ftyp("isom", ["mp41"]))
        }
        #expect(ImageFormat.heic.mimeType == "image/heic" && ImageFormat.avif.mimeType == "image/avif")
        #expect(throws: ImageError.self) {
            try ImageEncoder.encode(
                try PixelBuffer(width: 1, height: 1, channels: 3, pixels: [0, 0, 0]), options: EncodeOptions(format: .heic))
        }
    }
}

@Suite("Hostile HEIC and AVIF", .enabled(if: TestData.phoneAvailable, "needs ../shared/testdata/phone"))
struct HEIFHostileTests {
    /// Files in `phone/hostile` that are valid pictures after all decode: a Sony HIF whose payload
    /// was zeroed (a black frame, as heif-convert gives), libavif's PoC (a 128x64 red frame, as
    /// avifdec gives) and a JPEG named .heic (sniffed by its bytes). Every other one is refused
    /// with a typed error.
    static let decodable: Set<String> = ["exiv2_Sony.HIF", "libavif_poc_b_506387278.avif", "tifig_acutally_a_jpeg.heic"]

    @Test("every hostile HEIC/AVIF gives an ImageError (header or decode), never a crash")
    func refused() throws {
        let files = TestData.files("phone/hostile").filter { $0.pathExtension != "json" }
        #expect(files.count >= 15)
        for url in files {
            let name = url.lastPathComponent
            let bytes = try TestData.bytes(url)
            do {
                let image = try ImageDecoder.decode(bytes)
                #expect(Self.decodable.contains(name), "\(name) decoded to \(image.pixels.width)x\(image.pixels.height)")
            } catch let error as ImageError {
                #expect(!Self.decodable.contains(name), "\(name): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test("a bomb-sized ispe is refused from the header, before decoding")
    func bombRefusedFromHeader() throws {
        let bytes = try TestData.bytes(TestData.root.appendingPathComponent("phone/hostile/made_ispe_65535x65535_exiv2_Stonehenge.heic"))
        #expect(throws: ImageError.self) { try ImageHeader.read(bytes) }
        do { _ = try ImageHeader.read(bytes) } catch let error as ImageError { #expect(error.code == .tooLarge, "\(error)") }
        // The same file with its real size, and a tight limit: refused as too large from the header too.
        let real = try TestData.bytes(TestData.root.appendingPathComponent("phone/heic/exiv2_Stonehenge.heic"))
        #expect(try ImageHeader.read(real).width == 300)
        do {
            _ = try ImageHeader.read(real, maxPixels: 299 * 200)
            Issue.record("300x200 passed a 59800-pixel limit")
        } catch let error as ImageError { #expect(error.code == .tooLarge) }
    }
}

/// The built `imagicon` executable, when present in `.build`.
private let builtImagicon: URL? = ["debug", "x86_64-unknown-linux-gnu/debug", "release"].lazy
    .map { TestData.repoRoot.appendingPathComponent(".build/\($0)/imagicon") }
    .first { FileManager.default.isExecutableFile(atPath: $0.path) }

@Suite(
    "imagicon process on hostile HEIC/AVIF under a 2 GB address-space cap",
    .enabled(if: TestData.phoneAvailable && builtImagicon != nil, "needs ../shared/testdata/phone and a built imagicon"),
    .enabled(if: (try? TestData.run(["sh", "-c", "command -v prlimit && command -v timeout"])) == 0, "needs prlimit and timeout"))
struct HEIFHostileProcessTests {
    @Test("every hostile file: a failed record with a clear error (or processed, for the three real pictures), no crash, no hang")
    func failedRecords() throws {
        let files = TestData.files("phone/hostile").filter { $0.pathExtension != "json" }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let status = try TestData.run(
            ["prlimit", "--as=2147483648", "--", "timeout", "300", builtImagicon!.path, "process"] + files.map(\.path)
                + ["--out", out.path, "--no-faces"])
        #expect(status == 1, "imagicon process exits 1 when some file failed (not a signal, not the timeout's 124)")
        for url in files {
            let name = url.lastPathComponent
            let record = out.appendingPathComponent("records/local/\(name).json")
            guard let data = try? Data(contentsOf: record),
                let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let image = json["image"] as? [String: Any]
            else {
                Issue.record("\(name): no record")
                continue
            }
            let status = image["status"] as? String
            if HEIFHostileTests.decodable.contains(name) {
                #expect(status == "processed", "\(name): \(image)")
            } else {
                #expect(status == "failed", "\(name): \(status ?? "nil")")
                #expect(((image["error"] as? String) ?? "").count > 10, "\(name): the error says why")
            }
        }
    }
}
