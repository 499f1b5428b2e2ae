import Foundation
import Testing

@testable import FaceKit

@Suite(.enabled(if: TestData.modelAvailable, "needs models/shape_predictor_5_face_landmarks.dat"))
struct ShapePredictorTests {
    static let predictor: ShapePredictor? = try? ShapePredictor(modelPath: TestData.shapeModelPath)

    @Test func loadsTheFivePointModel() throws {
        let sp = try #require(Self.predictor)
        #expect(sp.landmarkCount == 5)
        #expect(sp.model.levels.count == 15)
        let sizes = sp.model.levels.map { "\($0.treeCount)/\($0.featureCount)" }
        #expect(sp.model.levels.allSatisfy { $0.treeCount == 500 && $0.featureCount == 800 }, "\(sizes)")
    }

    /// Landmarks on the same (libjpeg-turbo / libpng) pixels and rectangles as dlib 20.0.1.
    @Test(.enabled(if: TestData.available, "needs ../shared/testdata"))
    func matchesDlibOnReferenceFaces() throws {
        let sp = try #require(Self.predictor)
        let reference = try DlibReference.load("dlib_reference_turbo.json")
        var faces = 0
        var exact = 0
        var maxError = 0.0
        for entry in reference.images {
            let detections = entry.faces("0") + entry.faces("1") + (entry.hog?.faces ?? [])
            guard !detections.isEmpty else { continue }
            let image = try TestDecode.reference(entry)
            for face in detections {
                let got = sp.landmarks(in: image, face: face.faceRect)
                let error = zip(got, face.points).map { max(abs($0.x - $1.x), abs($0.y - $1.y)) }.max() ?? .infinity
                #expect(error <= 1, "\(entry.path) \(face.rect): \(got) vs \(face.points)")
                faces += 1
                if error == 0 { exact += 1 }
                maxError = max(maxError, error)
            }
        }
        print("shape predictor parity: \(faces) faces, \(exact) identical, max error \(maxError) px")
        #expect(faces > 400)
    }

    @Test func rectanglesOutsideTheImageSampleZeros() throws {
        let sp = try #require(Self.predictor)
        let image = RGBImage(width: 40, height: 30, pixels: (0..<40 * 30 * 3).map { UInt8($0 % 251) })
        // Entirely outside: every feature pixel reads 0, so the result equals a black image's.
        let far = FaceRect(left: 10_000, top: 10_000, right: 10_099, bottom: 10_099)
        let black = RGBImage(width: 40, height: 30)
        #expect(sp.landmarks(in: image, face: far) == sp.landmarks(in: black, face: far))
        // A pixel buffer that no longer matches the size reads as black, never past its end.
        var broken = image
        broken.pixels.removeLast(10)
        #expect(
            sp.landmarks(in: broken, face: FaceRect(left: 0, top: 0, right: 39, bottom: 29))
                == sp.landmarks(in: black, face: FaceRect(left: 0, top: 0, right: 39, bottom: 29)))
        // Degenerate and empty inputs do not crash.
        _ = sp.landmarks(in: RGBImage(width: 0, height: 0), face: FaceRect(left: 0, top: 0, right: 0, bottom: 0))
        _ = sp.landmarks(in: image, face: FaceRect(left: 5, top: 5, right: -5, bottom: -5))
        _ = sp.landmarks(in: image, face: FaceRect(left: Int.min / 4, top: Int.min / 4, right: Int.max / 4, bottom: Int.max / 4))
    }

    @Test func landmarksFollowTheRectangle() throws {
        let sp = try #require(Self.predictor)
        // On a black image the cascade output depends only on the unit-box shape, so moving
        // the rectangle by (dx, dy) moves every landmark by exactly (dx, dy).
        let black = RGBImage(width: 10, height: 10)
        let a = sp.landmarks(in: black, face: FaceRect(left: 100, top: 200, right: 199, bottom: 299))
        let b = sp.landmarks(in: black, face: FaceRect(left: 130, top: 190, right: 229, bottom: 289))
        #expect(zip(a, b).allSatisfy { $1.x - $0.x == 30 && $1.y - $0.y == -10 })
    }

    /// `compileCompactCopy` writes `<dat>.imgc` (aside, then renamed: nothing else is left in the
    /// folder), which `init(modelPath:)` then prefers and maps.
    @Test func compiledCopyIsPreferredAndMapped() throws {
        let sp = try #require(Self.predictor)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dat = dir.appendingPathComponent("sp.dat").path
        try FileManager.default.copyItem(atPath: TestData.shapeModelPath, toPath: dat)
        #expect(try ShapePredictor.compileCompactCopy(of: dat) == dat + ".imgc")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["sp.dat", "sp.dat.imgc"])
        let loaded = try ShapePredictor(modelPath: dat)
        #expect(loaded.model.levels.allSatisfy { $0.paddedLeaves.isMapped })
        #expect(loaded.compactRepresentation() == sp.compactRepresentation())
    }

    /// The compact form holds exactly the parsed model and predicts identically; loaded from a
    /// file, its leaves stay in the file's mapping (nothing copied at cold start).
    @Test func compactFormRoundTrips() throws {
        let sp = try #require(Self.predictor)
        let compact = sp.compactRepresentation()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sp-\(UUID().uuidString).imsp")
        try Data(compact).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let again = try ShapePredictor(modelPath: url.path)
        #expect(again.compactRepresentation() == compact)
        #expect(again.model.initialShape == sp.model.initialShape)
        #expect(again.model.levels.allSatisfy { $0.paddedLeaves.isMapped })
        for (a, b) in zip(again.model.levels, sp.model.levels) {
            #expect(a.anchors == b.anchors && a.deltas == b.deltas && a.thresholds == b.thresholds)
            #expect(a.splitFeatures == b.splitFeatures && a.splitsPerTree == b.splitsPerTree && a.leafStart == b.leafStart)
            #expect(
                a.paddedLeaves.count == b.paddedLeaves.count
                    && memcmp(a.paddedLeaves.pointer, b.paddedLeaves.pointer, a.paddedLeaves.count * 4) == 0)
        }
        var noise = RGBImage(width: 300, height: 240)
        var state: UInt32 = 12345
        for i in noise.pixels.indices {
            state = state &* 1_103_515_245 &+ 12345
            noise.pixels[i] = UInt8(truncatingIfNeeded: state >> 16)
        }
        for k in 0..<40 {
            let face = FaceRect(left: k * 5 - 30, top: k * 3 - 20, right: k * 5 + 60 + k, bottom: k * 3 + 80 + k)
            #expect(again.landmarks(in: noise, face: face) == sp.landmarks(in: noise, face: face))
        }
    }

    @Test func rejectsTruncatedAndCorruptModels() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestData.shapeModelPath)))
        for length in [0, 1, 2, 10, 100, 1000, 54_321, bytes.count / 2, bytes.count - 1] {
            #expect(throws: ShapePredictorError.self) { try ShapePredictor(modelBytes: Array(bytes[..<length])) }
        }
        var wrongVersion = bytes
        wrongVersion[1] = 2
        #expect { try ShapePredictor(modelBytes: wrongVersion) } throws: { ($0 as? ShapePredictorError)?.code == .inconsistentModel }
        // A forest count of 2^56: refused before any allocation.
        let huge: [UInt8] = [
            0x01, 0x01, 0x81, 0x02, 0x81, 0x01, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 1,
        ]
        #expect { try ShapePredictor(modelBytes: huge) } throws: { ($0 as? ShapePredictorError)?.code == .malformedFile }
        #expect(throws: ShapePredictorError.self) { try ShapePredictor(modelPath: "/nonexistent/model.dat") }
    }
}

/// A tiny hand-built model (2 landmarks, 1 level, 2 trees of depth 1, 2 feature pixels) in
/// dlib's format, to check evaluation and to fuzz the loader without the 9 MB file.
@Suite struct ShapePredictorSyntheticModelTests {
    static func floats(_ values: [Double]) -> [UInt8] { values.flatMap { DlibTestEncoder.double($0, digits: 24) } }
    static func columnVector(_ values: [Double]) -> [UInt8] {
        DlibTestEncoder.int(-Int64(values.count)) + DlibTestEncoder.int(-1) + floats(values)
    }

    static let model: [UInt8] = {
        var b = DlibTestEncoder.int(1) // version
        b += columnVector([0.25, 0.5, 0.75, 0.5]) // initial shape: two points
        b += DlibTestEncoder.int(1) // levels
        b += DlibTestEncoder.int(2) // trees
        for threshold in [10.0, -10.0] {
            b += DlibTestEncoder.int(1) // one split
            b += DlibTestEncoder.int(0) + DlibTestEncoder.int(1) + floats([threshold]) // pixel0 - pixel1 > threshold
            b += DlibTestEncoder.int(2) // two leaves
            b += columnVector([0.125, 0, 0, 0]) // left: move point 0 right
            b += columnVector([0, 0, 0, 0.125]) // right: move point 1 down
        }
        b += DlibTestEncoder.int(1) + DlibTestEncoder.int(2) + DlibTestEncoder.int(0) + DlibTestEncoder.int(1) // anchors
        b += DlibTestEncoder.int(1) + DlibTestEncoder.int(2) + floats([0, 0, 0, 0]) // deltas: on the anchors
        return b
    }()

    @Test func evaluatesTheCascade() throws {
        let sp = try ShapePredictor(modelBytes: Self.model)
        #expect(sp.landmarkCount == 2)
        // 101x101 face at the origin: anchors at (25, 50) and (75, 50).
        var image = RGBImage(width: 120, height: 120)
        let face = FaceRect(left: 0, top: 0, right: 100, bottom: 100)
        // Both pixels black: tree 1 (0 > 10 false) -> right, tree 2 (0 > -10 true) -> left.
        #expect(sp.landmarks(in: image, face: face) == [FacePoint(x: 38, y: 50), FacePoint(x: 75, y: 63)])
        // Pixel 0 bright (intensity 90): both trees go left, point 0 moves twice.
        for (i, v) in [90, 90, 90].enumerated() { image.pixels[(50 * 120 + 25) * 3 + i] = UInt8(v) }
        #expect(sp.landmarks(in: image, face: face) == [FacePoint(x: 50, y: 50), FacePoint(x: 75, y: 50)])
    }

    @Test(arguments: [false, true])
    func everySingleByteCorruptionIsHandled(compact: Bool) throws {
        let original = compact ? try ShapePredictor(modelBytes: Self.model).compactRepresentation() : Self.model
        var accepted = 0
        var rejected = 0
        for position in original.indices {
            for value: UInt8 in [0x00, 0x01, 0x02, 0x08, 0x0F, 0x7F, 0x80, 0x81, 0x88, 0xFF] where value != original[position] {
                var corrupt = original
                corrupt[position] = value
                do {
                    let sp = try ShapePredictor(modelBytes: corrupt)
                    // Whatever parsed must evaluate safely.
                    _ = sp.landmarks(in: RGBImage(width: 20, height: 20), face: FaceRect(left: -5, top: -5, right: 30, bottom: 30))
                    accepted += 1
                } catch {
                    #expect(error is ShapePredictorError)
                    rejected += 1
                }
            }
        }
        #expect(rejected > 0 && accepted > 0)
        // Every truncation of the compact form is refused.
        if compact {
            for length in 0..<original.count {
                #expect(throws: ShapePredictorError.self) { try ShapePredictor(modelBytes: Array(original[..<length])) }
            }
        }
    }

    @Test func compactFormOfTheHandBuiltModelPredictsTheSame() throws {
        let sp = try ShapePredictor(modelBytes: Self.model)
        let compact = try ShapePredictor(modelBytes: sp.compactRepresentation())
        var image = RGBImage(width: 120, height: 120)
        for (i, v) in [90, 90, 90].enumerated() { image.pixels[(50 * 120 + 25) * 3 + i] = UInt8(v) }
        let face = FaceRect(left: 0, top: 0, right: 100, bottom: 100)
        #expect(compact.landmarks(in: image, face: face) == sp.landmarks(in: image, face: face))
    }
}
