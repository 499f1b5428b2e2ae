import Foundation
import Testing

@testable import FaceKit

@Suite struct FaceChipTests {
    /// Per-chip comparison with one of dlib's chips.
    struct Comparison {
        var chips = 0, identical = 0, maxDifference = 0, differingValues = 0, values = 0
        mutating func add(_ ours: RGBImage, _ theirs: RGBImage) {
            chips += 1
            if ours == theirs { identical += 1 }
            ours.pixels.withUnsafeBufferPointer { a in
                theirs.pixels.withUnsafeBufferPointer { b in
                    for i in 0..<min(a.count, b.count) {
                        let d = abs(Int(a[i]) - Int(b[i]))
                        if d != 0 { differingValues += 1 }
                        if d > maxDifference { maxDifference = d }
                    }
                }
            }
            values += ours.pixels.count
        }
        var summary: String {
            "\(identical)/\(chips) chips identical, max difference \(maxDifference), \(differingValues)/\(values) values differ"
        }
    }

    /// Compares our chips with dlib's saved chips (dlib_reference.json, cut from dlib's own
    /// decode at dlib's landmarks), for the images whose decode is lossless (`png`) or not.
    func compareWithDlibChips(png: Bool) throws -> Comparison {
        let reference = try DlibReference.load("dlib_reference.json")
        var result = Comparison()
        for entry in reference.images where (entry.format == "PNG") == png {
            let faces = entry.faces("0").filter { $0.chip != nil }
            guard !faces.isEmpty else { continue }
            let image = try TestDecode.reference(entry)
            for face in faces {
                let chipURL = TestData.root.appendingPathComponent("faces").appendingPathComponent(face.chip!)
                let expected = try TestDecode.png([UInt8](try Data(contentsOf: chipURL)))
                let ours = FaceChip.extract(from: image, landmarks: face.points)
                try #require(ours.width == expected.width && ours.height == expected.height)
                result.add(ours, expected)
            }
        }
        return result
    }

    /// Lossless sources: the same pixels dlib saw, so the chips must agree (bar: within 1 level).
    @Test(.enabled(if: TestData.available, "needs ../shared/testdata"))
    func matchesDlibChipsOnLosslessImages() throws {
        let result = try compareWithDlibChips(png: true)
        print("face chips (PNG sources): \(result.summary)")
        #expect(result.chips >= 20)
        #expect(result.maxDifference <= 1)
    }

    /// JPEG sources: dlib decoded them with IJG libjpeg 9e, we with libjpeg-turbo, which differ
    /// by a few levels per pixel; the chips may differ by that much, never structurally.
    @Test(.enabled(if: TestData.available, "needs ../shared/testdata"))
    func closeToDlibChipsOnJpegImages() throws {
        let result = try compareWithDlibChips(png: false)
        print("face chips (JPEG sources, different decoders): \(result.summary)")
        #expect(result.chips >= 100)
        #expect(result.maxDifference <= 40)
        #expect(Double(result.differingValues) / Double(max(result.values, 1)) < 0.5)
    }

    /// JPEG sources decoded by dlib's own bundled IJG libjpeg 9e (the pixels dlib saw): the
    /// chips must agree like the lossless ones. Opt-in: set `FACEKIT_IJG_RGB_DIR` to raw
    /// dumps made as Fixtures/README.md describes.
    @Test(.enabled(if: TestData.available && IJGDumps.directory != nil, "set FACEKIT_IJG_RGB_DIR (see Fixtures/README.md)"))
    func matchesDlibChipsOnDlibDecodedJpegs() throws {
        let reference = try DlibReference.load("dlib_reference.json")
        let sp = try ShapePredictor(modelPath: TestData.shapeModelPath)
        var result = Comparison()
        var landmarkFaces = 0
        var landmarkExact = 0
        for entry in reference.images where entry.format == "JPEG" {
            let faces = entry.faces("0") + entry.faces("1") + (entry.hog?.faces ?? [])
            guard !faces.isEmpty, let image = try IJGDumps.image(for: entry.path) else { continue }
            for face in faces {
                let landmarks = sp.landmarks(in: image, face: face.faceRect)
                let error = zip(landmarks, face.points).map { max(abs($0.x - $1.x), abs($0.y - $1.y)) }.max() ?? .infinity
                #expect(error <= 1, "\(entry.path) landmarks \(landmarks) vs \(face.points)")
                landmarkFaces += 1
                if error == 0 { landmarkExact += 1 }
                guard let chip = face.chip else { continue }
                let expected = try TestDecode.png(
                    [UInt8](try Data(contentsOf: TestData.root.appendingPathComponent("faces").appendingPathComponent(chip))))
                result.add(FaceChip.extract(from: image, landmarks: face.points), expected)
            }
        }
        print("face chips (JPEG sources, dlib's IJG decode): \(result.summary); landmarks \(landmarkExact)/\(landmarkFaces) identical")
        #expect(result.chips >= 100)
        #expect(result.maxDifference <= 1)
    }

    @Test func pyramidMatchesTheFilterDefinition() {
        let w = 23
        let h = 17
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for i in pixels.indices { pixels[i] = UInt8((i * 37 + i / 7 * 11) % 256) }
        let image = RGBImage(width: w, height: h, pixels: pixels)
        let down = image.pixels.withUnsafeBufferPointer {
            PyramidDown2.apply(RGBView(base: $0.baseAddress!, width: w, height: h, rowStride: w * 3))
        }
        #expect(down.width == (w - 3) / 2 && down.height == (h - 3) / 2)
        let k = [1, 4, 6, 4, 1]
        for y in 0..<down.height {
            for x in 0..<down.width {
                for ch in 0..<3 {
                    var sum = 0
                    for j in 0..<5 {
                        for i in 0..<5 {
                            sum += k[j] * k[i] * Int(pixels[((2 * y + j) * w + 2 * x + i) * 3 + ch])
                        }
                    }
                    #expect(Int(down.pixels[(y * down.width + x) * 3 + ch]) == sum / 256)
                }
            }
        }
        let tiny = RGBImage(width: 8, height: 40)
        #expect(
            tiny.pixels.withUnsafeBufferPointer {
                PyramidDown2.apply(RGBView(base: $0.baseAddress!, width: 8, height: 40, rowStride: 24))
            }.width == 0)
    }

    /// Landmarks exactly on the padded mean face of a 150 chip give the identity footprint.
    @Test func meanFaceLandmarksGiveAnAxisAlignedFootprint() throws {
        let size = 150.0
        let padding = 0.25
        let points = FaceChipDetails.meanFace5.map {
            FacePoint(
                x: ((padding + $0.x) / (2 * padding + 1) * size).rounded() + 40,
                y: ((padding + $0.y) / (2 * padding + 1) * size).rounded() + 30)
        }
        let details = try #require(FaceChipDetails.face(landmarks: points))
        #expect(abs(details.angle) < 0.01)
        #expect(abs((details.right - details.left + 1) - 150) < 1.5)
        #expect(abs(details.left - 40) < 1.5 && abs(details.top - 30) < 1.5)
        // A gradient image: the chip reproduces the image around (40, 30) to within rounding.
        let w = 300
        let h = 250
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                pixels[(y * w + x) * 3] = UInt8(x % 256)
                pixels[(y * w + x) * 3 + 1] = UInt8(y)
            }
        }
        let chip = FaceChip.extract(from: RGBImage(width: w, height: h, pixels: pixels), landmarks: points)
        #expect(chip.width == 150 && chip.height == 150)
        #expect(abs(Int(chip.pixels[(75 * 150 + 75) * 3]) - 115) <= 2)
        #expect(abs(Int(chip.pixels[(75 * 150 + 75) * 3 + 1]) - 105) <= 2)
    }

    /// An unrotated, unscaled footprint takes dlib's plain-copy path: the footprint rounded
    /// with `lround` (here (0.5, 0.5) -> (1, 1)), black outside the image.
    @Test func identityFootprintIsAPlainCopy() throws {
        // Integer points with integer means: the fit is exactly the identity.
        let chipPoints: [Double] = [10, 20, 30, 25, 50, 70, 80, 40, 80, 95]
        let details = FaceChipDetails(chipPoints: chipPoints, imagePoints: chipPoints, rows: 150, columns: 150)
        #expect(details.angle == 0 && details.left == 0.5 && details.right == 149.5)
        let w = 120
        let h = 200
        let pixels = (0..<w * h * 3).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 3) }
        let chip = FaceChip.extract(from: RGBImage(width: w, height: h, pixels: pixels), details: details)
        for (r, c) in [(0, 0), (10, 20), (149, 118), (149, 119), (0, 149)] {
            let x = c + 1
            let y = r + 1
            let inside = x < w && y < h
            for ch in 0..<3 {
                #expect(chip.pixels[(r * 150 + c) * 3 + ch] == (inside ? pixels[(y * w + x) * 3 + ch] : 0))
            }
        }
    }

    @Test func rotatedFaceGivesTheRotationAngle() throws {
        // Rotate the mean face by 30 degrees about a centre and scale it by 3.
        let angle = Double.pi / 6
        let scale = 3.0
        let points = FaceChipDetails.meanFace5.map { p -> FacePoint in
            let x = (p.x - 0.5) * 100 * scale
            let y = (p.y - 0.5) * 100 * scale
            return FacePoint(x: 500 + cos(angle) * x - sin(angle) * y, y: 400 + sin(angle) * x + cos(angle) * y)
        }
        let details = try #require(FaceChipDetails.face(landmarks: points))
        #expect(abs(details.angle - angle) < 0.01)
    }

    @Test func hostileInputsNeverCrash() {
        let image = RGBImage(width: 50, height: 40, pixels: [UInt8](repeating: 200, count: 50 * 40 * 3))
        let good = [
            FacePoint(x: 30, y: 15), FacePoint(x: 25, y: 15), FacePoint(x: 10, y: 15), FacePoint(x: 15, y: 15), FacePoint(x: 20, y: 25),
        ]
        #expect(FaceChip.extract(from: image, landmarks: Array(good.prefix(4))).width == 150)
        #expect(FaceChip.extract(from: image, landmarks: Array(good.prefix(4))).pixels.allSatisfy { $0 == 0 })
        #expect(FaceChip.extract(from: image, landmarks: good.map { FacePoint(x: $0.x, y: .nan) }).width == 150)
        #expect(FaceChip.extract(from: image, landmarks: good.map { FacePoint(x: $0.x * 1e9, y: $0.y) }).width == 150)
        #expect(FaceChip.extract(from: image, landmarks: good.map { FacePoint(x: $0.x + 1e6, y: $0.y) }).pixels.allSatisfy { $0 == 0 })
        #expect(FaceChip.extract(from: image, landmarks: good, size: 0).width == 0)
        #expect(FaceChip.extract(from: image, landmarks: good, size: 1_000_000).width == 0)
        #expect(FaceChip.extract(from: image, landmarks: good, size: 1).width == 1)
        #expect(FaceChip.extract(from: image, landmarks: good, padding: -1).width == 150)
        #expect(FaceChip.extract(from: RGBImage(width: 0, height: 0), landmarks: good).width == 150)
        // All landmarks on one point: a degenerate (zero-size) footprint still gives a chip.
        #expect(FaceChip.extract(from: image, landmarks: Array(repeating: FacePoint(x: 20, y: 20), count: 5)).width == 150)
        // A pixel buffer that no longer matches the size is treated as empty, not read past.
        var broken = image
        broken.pixels.removeLast(100)
        #expect(FaceChip.extract(from: broken, landmarks: good).pixels.allSatisfy { $0 == 0 })
        // A small face inside the image, chip much larger than the face: no pyramid, samples 200.
        let chip = FaceChip.extract(from: image, landmarks: good)
        #expect(chip.pixels[(75 * 150 + 75) * 3] >= 199)
    }
}

/// Raw RGB dumps (`"<w> <h>\n"` + pixels) of the reference JPEGs as dlib's bundled libjpeg decodes them.
enum IJGDumps {
    static var directory: String? { ProcessInfo.processInfo.environment["FACEKIT_IJG_RGB_DIR"] }

    static func image(for path: String) throws -> RGBImage? {
        guard let directory else { return nil }
        let url = URL(fileURLWithPath: directory).appendingPathComponent(path.replacingOccurrences(of: "/", with: "__") + ".rgb")
        guard let data = try? Data(contentsOf: url), let newline = data.firstIndex(of: 0x0A) else { return nil }
        let header = String(decoding: data[..<newline], as: UTF8.self).split(separator: " ").compactMap { Int($0) }
        guard header.count == 2, data.count - newline - 1 == header[0] * header[1] * 3 else { return nil }
        return RGBImage(width: header[0], height: header[1], pixels: [UInt8](data[(newline + 1)...]))
    }
}
