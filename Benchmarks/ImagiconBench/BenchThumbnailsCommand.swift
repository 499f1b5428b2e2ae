import ArgumentParser
import Foundation
import ImageKit
import ImageQuality

#if canImport(Glibc)
    import Glibc
#endif

/// `imagicon-bench thumbnails DIR`: makes the same thumbnail sizes of every image in DIR (and its
/// subfolders one level down, such as the phone set's heic/, avif/ and icc/) with
/// `imagicon thumbnail`, `vipsthumbnail` and Pillow (when installed), each as a child process,
/// and prints per image and tool the median wall and CPU time, the peak resident memory
/// (`ru_maxrss` from `wait4`) and the PSNR of every output against a double-precision Lanczos-3
/// resize of the full-resolution reference: the lcms2 (Pillow ImageCms) sRGB conversion of the
/// stored colours for files with an ICC profile, our own decode otherwise. vipsthumbnail is asked
/// for colour-managed output (`--export-profile srgb`) for files with an ICC profile. HEIC/AVIF
/// files are also decoded in full by libheif's `heif-convert` (to JPEG), the floor for any
/// HEIF thumbnailer. A summary per file kind (HEIC, AVIF, ICC JPEG/PNG, other) closes the report.
struct BenchThumbnailsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thumbnails",
        abstract: "Thumbnail speed, memory and sharpness against vipsthumbnail and Pillow.")

    @Argument(help: "Folder of JPEG/PNG/WebP/HEIC/AVIF images (subfolders one level down too; 'hostile' is skipped).")
    var dir: String

    @Option(name: .customLong("size"), help: "Sizes to make (repeatable).")
    var sizes: [String] = ["200x200", "1024x1024"]

    @Option(help: "Timed runs per tool and image (after one warm-up run).")
    var runs: Int = 5

    @Option(help: "JPEG quality for every tool.")
    var quality: Int = 85

    @Option(help: "Output format for every tool: jpeg, or png to measure resampling without encoder loss.")
    var format: String = "jpeg"

    func run() throws {
        let parsed = try sizes.map { s -> ThumbnailSize in
            guard let t = ThumbnailSize(s) else { throw ValidationError("Bad --size '\(s)'.") }
            return t
        }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1.") }
        guard format == "jpeg" || format == "png" else { throw ValidationError("--format must be jpeg or png.") }
        let ext = format == "png" ? "png" : "jpg"
        let fm = FileManager.default
        let images = Self.imageFiles(in: dir)
        guard !images.isEmpty else { throw ValidationError("No JPEG, PNG, WebP, HEIC or AVIF files in \(dir).") }
        let work = fm.temporaryDirectory.appendingPathComponent("imagicon-bench-\(getpid())")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }
        let pillowScript = work.appendingPathComponent("pillow_thumbnails.py")
        try Self.pillowScript.write(to: pillowScript, atomically: true, encoding: .utf8)
        let lcmsScript = work.appendingPathComponent("lcms_reference.py")
        try Self.lcmsScript.write(to: lcmsScript, atomically: true, encoding: .utf8)

        var tools: [Tool] = [Tool(name: "imagicon", available: true)]
        tools.append(Tool(name: "vipsthumbnail", available: Self.which("vipsthumbnail") != nil))
        tools.append(Tool(name: "pillow", available: Self.run(["python3", "-c", "import PIL"]).status == 0))
        tools.append(Tool(name: "heif-convert", available: Self.which("heif-convert") != nil))
        // `imagicon` is built beside `imagicon-bench`.
        let selfPath = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let imagicon = ((selfPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("imagicon")
        guard fm.isExecutableFile(atPath: imagicon) else { throw ValidationError("No imagicon executable beside this one (\(imagicon)).") }

        var report: [ImageReport] = []
        for image in images {
            let stem = ((image as NSString).lastPathComponent as NSString).deletingPathExtension
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image)))
            guard let header = try? ImageHeader.read(bytes), let ours = try? ImageDecoder.decode(bytes).pixels else {
                FileHandle.standardError.write(Data("\((image as NSString).lastPathComponent): not decodable, skipped\n".utf8))
                continue
            }
            let icc: [UInt8]? = if case .icc(let b)? = header.colorProfile { b } else { nil }
            let kind =
                switch header.format {
                case .heic: "HEIC"
                case .avif: "AVIF"
                default: icc != nil ? "ICC JPEG/PNG" : "JPEG/PNG/WebP"
                }
            // The colour reference: lcms2's conversion of the stored colours when there is an ICC profile.
            var full = ours
            var referenceKind = "imagicon decode"
            if let icc, let converted = try? Self.lcmsReference(bytes, icc: icc, script: lcmsScript, work: work) {
                full = converted
                referenceKind = "lcms2 (Pillow ImageCms) sRGB conversion of the stored colours"
            }
            var references: [String: ReferenceImage] = [:]
            var results: [ToolReport] = []
            for tool in tools where tool.available {
                // Pillow reads no HEIF without a plug-in; heif-convert reads nothing else.
                if header.format.isHEIF ? tool.name == "pillow" : tool.name == "heif-convert" { continue }
                let out = work.appendingPathComponent(tool.name)
                try? fm.removeItem(at: out)
                try fm.createDirectory(at: out, withIntermediateDirectories: true)
                // One job = all sizes; vipsthumbnail makes one size per process, so its job is one run per size.
                let commands: [[String]] =
                    switch tool.name {
                    case "imagicon":
                        [
                            [imagicon, "thumbnail", image, "--format", format, "--quality", "\(quality)", "--out", out.path]
                                + parsed.flatMap { ["--size", $0.description] }
                        ]
                    case "vipsthumbnail":
                        parsed.map { s in
                            // `>`: only shrink, as our fit sizes never enlarge (vips would upscale a small photo).
                            [
                                "vipsthumbnail", image, "--size", "\(s.width)x\(s.height)" + (s.crop ? "" : ">"), "-o",
                                out.appendingPathComponent("\(stem)_\(s).\(ext)" + (ext == "jpg" ? "[Q=\(quality)]" : "")).path,
                            ]
                                + (s.crop ? ["--smartcrop", "centre"] : []) + (icc != nil ? ["--export-profile", "srgb"] : [])
                        }
                    case "heif-convert":
                        // libheif's own full decode (HEVC/AV1 decode, YCbCr to JPEG at quality 85): no thumbnail, no PSNR.
                        [["heif-convert", "-q", "\(quality)", image, out.appendingPathComponent("\(stem)_full.jpg").path]]
                    default:
                        [["python3", pillowScript.path, image, out.path, "\(quality)", ext] + parsed.map(\.description)]
                    }
                var times: [Double] = []
                var cpuTimes: [Double] = []
                var peak = 0
                var failure: String?
                for run in 0...runs {
                    var total = 0.0
                    var cpu = 0.0
                    for c in commands {
                        let r = Self.run(c)
                        if r.status != 0 { failure = "\(c[0]) exited with \(r.status)" }
                        total += r.seconds
                        cpu += r.cpuSeconds
                        peak = max(peak, r.maxRSSKB)
                    }
                    if run > 0 {
                        times.append(total)
                        cpuTimes.append(cpu)
                    }
                }
                var psnr: [String: Double] = [:]
                var outSizes: [String: String] = [:]
                for s in parsed where tool.name != "heif-convert" {
                    let name = out.appendingPathComponent("\(stem)_\(s).\(ext)").path
                    guard let data = fm.contents(atPath: name),
                        let made = try? ImageDecoder.decode([UInt8](data), options: DecodeOptions(applyOrientation: false)).pixels
                    else {
                        failure = failure ?? "no output for \(s)"
                        continue
                    }
                    let rect = s.crop ? s.layout(imageWidth: full.width, imageHeight: full.height).rect : nil
                    let key = "\(made.width)x\(made.height)\(s.crop ? "c" : "")"
                    let ref = references[key] ?? ReferenceImage(resizing: full, width: made.width, height: made.height, rect: rect)
                    references[key] = ref
                    psnr[s.description] = (try? ref.psnr(of: made)).map { ($0 * 100).rounded() / 100 }
                    outSizes[s.description] = "\(made.width)x\(made.height)"
                }
                results.append(
                    ToolReport(
                        tool: tool.name, medianMs: Self.medianMs(times), medianCPUMs: Self.medianMs(cpuTimes),
                        peakRSSMB: (Double(peak) / 102.4).rounded() / 10,
                        psnr: psnr, outputs: outSizes, error: failure))
            }
            // The floor set by the encoder: the exact reference itself, 8-bit and encoded the same way.
            var floor: [String: Double] = [:]
            for s in parsed {
                let l = s.layout(imageWidth: full.width, imageHeight: full.height)
                let key = "\(l.width)x\(l.height)\(s.crop ? "c" : "")"
                let ref = references[key] ?? ReferenceImage(resizing: full, width: l.width, height: l.height, rect: s.crop ? l.rect : nil)
                let options = EncodeOptions(format: format == "png" ? .png : .jpeg, quality: quality)
                if let data = try? ImageEncoder.encode(ref.rounded(), options: options),
                    let back = try? ImageDecoder.decode(data, options: DecodeOptions(applyOrientation: false)).pixels,
                    let p = try? ref.psnr(of: back)
                {
                    floor[s.description] = (p * 100).rounded() / 100
                }
            }
            let r = ImageReport(
                file: image, kind: kind, width: full.width, height: full.height, reference: referenceKind, encodedReferencePSNR: floor,
                tools: results)
            Self.log(r)
            report.append(r)
        }
        let summary = Self.summary(report)
        FileHandle.standardError.write(Data(summary.map { "\($0.kind): \($0.text)\n" }.joined().utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        print(String(decoding: try encoder.encode(Report(images: report, kinds: summary)), as: UTF8.self))
    }

    private struct Report: Encodable {
        let images: [ImageReport]
        let kinds: [KindSummary]
    }

    /// Per file kind: median ratios of imagicon to vipsthumbnail (and to heif-convert's full
    /// decode), CPU and wall, and the 1024 px PSNRs of both against the reference.
    private struct KindSummary: Encodable {
        let kind: String
        let files: Int
        let cpuRatioToVips: Double?
        let wallRatioToVips: Double?
        let cpuRatioToHeifConvert: Double?
        let wallRatioToHeifConvert: Double?
        let psnrAtLargest: [String: [String: Double]]
        let text: String
    }

    private static func summary(_ report: [ImageReport]) -> [KindSummary] {
        func median(_ v: [Double]) -> Double {
            let s = v.sorted()
            return s.isEmpty ? .nan : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
        return Dictionary(grouping: report, by: \.kind).sorted { $0.key < $1.key }.map { kind, images in
            var cpu: [Double] = []
            var wall: [Double] = []
            var heifCPU: [Double] = []
            var heifWall: [Double] = []
            var psnr: [String: [String: Double]] = [:]
            for image in images {
                let t = Dictionary(image.tools.map { ($0.tool, $0) }, uniquingKeysWith: { a, _ in a })
                guard let ours = t["imagicon"], ours.error == nil else { continue }
                if let vips = t["vipsthumbnail"], vips.error == nil {
                    cpu.append(ours.medianCPUMs / vips.medianCPUMs)
                    wall.append(ours.medianMs / vips.medianMs)
                }
                if let floor = t["heif-convert"], floor.error == nil {
                    heifCPU.append(ours.medianCPUMs / floor.medianCPUMs)
                    heifWall.append(ours.medianMs / floor.medianMs)
                }
                let largest = ours.psnr.keys.max { (ThumbnailSize($0)?.width ?? 0) < (ThumbnailSize($1)?.width ?? 0) }
                if let largest {
                    // Only the tools that made that size (JSON has no NaN).
                    let name = (image.file as NSString).lastPathComponent
                    psnr[name] = ["imagicon": ours.psnr[largest], "vipsthumbnail": t["vipsthumbnail"]?.psnr[largest]].compactMapValues {
                        $0
                    }
                }
            }
            var text = String(
                format: "%d files, imagicon/vipsthumbnail median cpu %.2fx, wall %.2fx", images.count, median(cpu), median(wall))
            if !heifCPU.isEmpty {
                text += String(
                    format: "; imagicon thumbnails/heif-convert full decode median cpu %.2fx, wall %.2fx", median(heifCPU), median(heifWall)
                )
            }
            let worse = psnr.filter { ($0.value["imagicon"] ?? 0) < ($0.value["vipsthumbnail"] ?? 0) }.keys.sorted()
            text += "; largest-size PSNR below vipsthumbnail's: " + (worse.isEmpty ? "none" : worse.joined(separator: ", "))
            return KindSummary(
                kind: kind, files: images.count, cpuRatioToVips: cpu.isEmpty ? nil : round3(median(cpu)),
                wallRatioToVips: wall.isEmpty ? nil : round3(median(wall)),
                cpuRatioToHeifConvert: heifCPU.isEmpty ? nil : round3(median(heifCPU)),
                wallRatioToHeifConvert: heifWall.isEmpty ? nil : round3(median(heifWall)), psnrAtLargest: psnr, text: text)
        }
    }

    /// The images in `dir` and in its subfolders one level down (not `hostile`), sorted.
    static func imageFiles(in dir: String) -> [String] {
        let fm = FileManager.default
        let extensions: Set<String> = ["jpg", "jpeg", "png", "webp", "heic", "heif", "hif", "avif"]
        var files: [String] = []
        for name in (try? fm.contentsOfDirectory(atPath: dir).sorted()) ?? [] {
            let path = (dir as NSString).appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                guard name != "hostile" else { continue }
                for inner in (try? fm.contentsOfDirectory(atPath: path).sorted()) ?? []
                where extensions.contains((inner as NSString).pathExtension.lowercased()) {
                    files.append((path as NSString).appendingPathComponent(inner))
                }
            } else if extensions.contains((name as NSString).pathExtension.lowercased()) {
                files.append(path)
            }
        }
        return files
    }

    /// The upright full-size image in sRGB as lcms2 converts it (Pillow's ImageCms, perceptual
    /// intent) from our decode with colours as stored and the file's ICC profile.
    static func lcmsReference(_ bytes: [UInt8], icc: [UInt8], script: URL, work: URL) throws -> PixelBuffer {
        let stored = try ImageDecoder.decode(bytes, options: DecodeOptions(colorManaged: false)).pixels
        let raw = work.appendingPathComponent("reference.raw")
        let profile = work.appendingPathComponent("reference.icc")
        let out = work.appendingPathComponent("reference.srgb")
        try Data(stored.pixels).write(to: raw)
        try Data(icc).write(to: profile)
        defer { for f in [raw, profile, out] { try? FileManager.default.removeItem(at: f) } }
        let status = run([
            "python3", script.path, raw.path, "\(stored.width)", "\(stored.height)", "\(stored.channels)", profile.path, out.path,
        ])
        guard status.status == 0 else { throw ValidationError("lcms reference failed") }
        return try PixelBuffer(
            width: stored.width, height: stored.height, channels: stored.channels, pixels: [UInt8](try Data(contentsOf: out)))
    }

    /// Pillow's ImageCms (Little CMS 2): raw RGB(A) with an ICC profile to sRGB, perceptual
    /// intent (as `jpgicc` and `transicc` default to).
    static let lcmsScript = #"""
        import io, sys
        from PIL import Image, ImageCms
        raw, w, h, ch, icc, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
        mode = "RGBA" if ch == 4 else "RGB"
        im = Image.frombytes(mode, (w, h), open(raw, "rb").read())
        source = ImageCms.ImageCmsProfile(io.BytesIO(open(icc, "rb").read()))
        im = ImageCms.profileToProfile(im, source, ImageCms.createProfile("sRGB"), renderingIntent=0, outputMode=mode)
        open(out, "wb").write(im.tobytes())
        """#

    private struct Tool {
        let name: String
        let available: Bool
    }

    private struct ToolReport: Encodable {
        let tool: String
        let medianMs: Double
        let medianCPUMs: Double
        let peakRSSMB: Double
        let psnr: [String: Double]
        let outputs: [String: String]
        let error: String?
    }

    private struct ImageReport: Encodable {
        let file: String
        /// HEIC, AVIF, ICC JPEG/PNG or JPEG/PNG/WebP.
        let kind: String
        let width: Int
        let height: Int
        /// What the PSNRs are measured against (before the exact resize).
        let reference: String
        /// PSNR of the reference itself after 8-bit rounding and the same encoding.
        let encodedReferencePSNR: [String: Double]
        let tools: [ToolReport]
    }

    /// The median of `seconds`, in milliseconds rounded to 0.1.
    private static func medianMs(_ seconds: [Double]) -> Double {
        let t = seconds.sorted()
        let m = t.count % 2 == 1 ? t[t.count / 2] : (t[t.count / 2 - 1] + t[t.count / 2]) / 2
        return (m * 10000).rounded() / 10
    }

    /// A one-line-per-tool summary on stderr.
    private static func log(_ r: ImageReport) {
        let floor = r.encodedReferencePSNR.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.2f", $0.value)) dB" }.joined(
            separator: ", ")
        var text = "\((r.file as NSString).lastPathComponent) \(r.width)x\(r.height)  (reference encoded: \(floor))\n"
        let base = r.tools.first { $0.tool == "vipsthumbnail" }
        for t in r.tools {
            let ratio = base.map { String(format: " (%.2fx vips)", t.medianMs / $0.medianMs) } ?? ""
            let cpuRatio = base.map { String(format: " (%.2fx)", t.medianCPUMs / $0.medianCPUMs) } ?? ""
            let p = t.psnr.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.2f", $0.value)) dB" }.joined(separator: ", ")
            let name = t.tool.padding(toLength: 14, withPad: " ", startingAt: 0)
            text +=
                "  \(name) " + String(format: "%8.1f ms", t.medianMs) + ratio + String(format: "  cpu %7.1f ms", t.medianCPUMs) + cpuRatio
                + String(format: "  %6.1f MB  ", t.peakRSSMB) + p
                + (t.error.map { "  ERROR: \($0)" } ?? "") + "\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Runs a child with stdout/stderr discarded: exit status, wall time, peak RSS in KB.
    static func run(_ argv: [String]) -> (status: Int32, seconds: Double, cpuSeconds: Double, maxRSSKB: Int) {
        // Linux carries the parent's peak RSS across vfork+exec into the child's ru_maxrss, so
        // measure through /usr/bin/time, whose own fork gives the tool a clean count.
        let timeTool = "/usr/bin/time"
        guard argv.first != timeTool, FileManager.default.isExecutableFile(atPath: timeTool) else { return spawn(argv) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("imagicon-bench-rss-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var r = spawn([timeTool, "-f", "%M", "-o", file] + argv)
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        r.maxRSSKB = text.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.last ?? r.maxRSSKB
        return r
    }

    private static func spawn(_ argv: [String]) -> (status: Int32, seconds: Double, cpuSeconds: Double, maxRSSKB: Int) {
        guard let path = argv.first.flatMap({ $0.hasPrefix("/") ? $0 : which($0) }) else { return (127, 0, 0, 0) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { for arg in cArgs { free(arg) } }
        var pid: pid_t = 0
        var start = timespec()
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        guard posix_spawn(&pid, path, &actions, nil, cArgs, environ) == 0 else { return (127, 0, 0, 0) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        clock_gettime(CLOCK_MONOTONIC, &end)
        let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
        let exited = status & 0x7F == 0
        // wait4's usage includes the child's own waited-for children (the tool under /usr/bin/time).
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), seconds, cpu, Int(usage.ru_maxrss))
    }

    /// The full path of a program on `PATH`.
    static func which(_ name: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Pillow doing the same job the way its own `Image.thumbnail` does: one decode, JPEG draft
    /// (DCT scaling) to at least twice the largest size, EXIF orientation applied, then
    /// `thumbnail` (reducing_gap 2, Lanczos) for `WxH` and `ImageOps.fit` (Lanczos) for `WxHc`.
    static let pillowScript = #"""
        import sys
        from PIL import Image, ImageOps
        src, out, quality, ext = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
        specs = sys.argv[5:]
        sizes = [(int(s.rstrip("c").split("x")[0]), int(s.rstrip("c").split("x")[1]), s.endswith("c"), s) for s in specs]
        stem = src.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        im = Image.open(src)
        w0, h0 = im.size
        if im.getexif().get(0x0112, 1) in (5, 6, 7, 8):
            sizes_stored = [(h, w, c) for (w, h, c, _) in sizes]
        else:
            sizes_stored = [(w, h, c) for (w, h, c, _) in sizes]
        need_w = need_h = 1
        for (w, h, c) in sizes_stored:
            s = max(w / w0, h / h0) if c else min(w / w0, h / h0)
            need_w, need_h = max(need_w, int(w0 * s * 2)), max(need_h, int(h0 * s * 2))
        im.draft("RGB", (need_w, need_h))
        im = ImageOps.exif_transpose(im).convert("RGB")
        for (w, h, c, spec) in sizes:
            if c:
                t = ImageOps.fit(im, (w, h), Image.Resampling.LANCZOS)
            else:
                t = im.copy()
                t.thumbnail((w, h), Image.Resampling.LANCZOS)
            t.save(f"{out}/{stem}_{spec}.{ext}", quality=quality)
        """#
}
