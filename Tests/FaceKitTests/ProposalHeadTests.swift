import Foundation
import Testing

@testable import FaceKit

/// The learned proposer (``ProposalHead``, `ProposalSearch.learned`): its filter, the mapping from pass-A
/// features to fine-level regions, and the learned search giving the whole run's boxes.
@Suite(.enabled(if: CNNTestData.available, "needs models/ and ../shared/testdata"))
struct ProposalHeadTests {
    static let detector = Result { try FaceDetector(modelPath: CNNTestData.detectorPath) }

    static func image(_ path: String) throws -> RGBImage {
        try CNNTestData.loadImage(CNNTestData.testdata.appendingPathComponent("faces/\(path)").path)
    }

    /// The filter reads `size × size` cells around the scored one, `[dy][dx][channel]`, edges repeated.
    @Test func filterReadsTheSquareAroundACellWithEdgesRepeated() {
        // 2 channels on a 2 × 3 grid; channel 0 holds 1...6, channel 1 holds 10...60.
        let grid = Tensor(n: 1, k: 2, nr: 2, nc: 3, data: [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60])
        var weights = [Float](repeating: 0, count: 3 * 3 * 2)
        weights[(0 * 3 + 0) * 2 + 0] = 1 // top left, channel 0
        weights[(1 * 3 + 1) * 2 + 1] = 0.5 // centre, channel 1
        weights[(2 * 3 + 2) * 2 + 0] = 2 // bottom right, channel 0
        let head = ProposalHead(channels: 2, size: 3, threshold: 0, bias: 0.25, weights: weights)
        // At (0, 0): top left clamps to (0, 0) = 1; centre channel 1 = 10; bottom right (1, 1) = 5.
        let expected00: Float = 0.25 + 1 + 5 + 10
        #expect(head.score(grid, row: 0, col: 0) == expected00)
        // At (1, 2): top left (0, 1) = 2; centre channel 1 = 60; bottom right clamps to (1, 2) = 6.
        let expected12: Float = 0.25 + 2 + 30 + 12
        #expect(head.score(grid, row: 1, col: 2) == expected12)
    }

    /// The trained weights fit the detector: one weight per channel and cell of the square, a finite threshold.
    @Test func trainedWeightsFitTheDetector() throws {
        let head = ProposalHead.trained
        #expect(head.size % 2 == 1 && head.weights.count == head.channels * head.size * head.size)
        #expect(head.weights.allSatisfy(\.isFinite) && head.bias.isFinite && head.threshold.isFinite)
        let detector = try Self.detector.get()
        guard case .convolution(let last) = detector.graph.steps.last else {
            Issue.record("no head")
            return
        }
        #expect(last.inChannels == head.channels)
    }

    /// Pass A's features of the first whole level are the whole run's (crops keep only exact cells), so the
    /// proposer sees what it was trained on.
    @Test(arguments: ["group/bbt1.jpg", "group/couple.jpg"]) func passAFeaturesEqualTheWholeRuns(_ path: String) throws {
        let detector = try Self.detector.get()
        let field = try #require(detector.field)
        let (input, layout) = detector.pyramidTensor(try Self.image(path))
        let pass = detector.passA(input, layout: layout, field: field, search: ProposalSearch(), keepFeatures: true)
        let features = try #require(pass.features)
        let whole = detector.graph.forwardKeepingFeatures(input).features
        let e = features.extent
        var compared = 0
        var worst: Float = 0
        for r in e.top...e.bottom {
            for c in e.left...e.right where pass.level[r * whole.nc + c] == 4 {
                for k in 0..<whole.k {
                    worst = max(worst, abs(features.grid[0, k, r - e.top, c - e.left] - whole[0, k, r, c]))
                }
                compared += 1
            }
        }
        #expect(compared > 0)
        #expect(worst <= 1e-4, "\(path): features differ by \(worst)")
    }

    /// A proposal at the first-whole-level cell nearest a fine-level detection's centre (as the sample maps it)
    /// marks that detection's cell for pass B.
    @Test func proposalAtTheMappedCellCoversTheDetection() throws {
        let detector = try Self.detector.get()
        let field = try #require(detector.field)
        let image = try Self.image("group/bbt1.jpg")
        let sample = try #require(detector.proposalSample(in: image))
        let detected = sample.windows.filter(\.detected)
        #expect(detected.count >= 3 && detected.allSatisfy { $0.level < 4 })
        let (input, layout) = detector.pyramidTensor(image)
        let pass = detector.passA(input, layout: layout, field: field, search: ProposalSearch(), keepFeatures: true)
        let e = try #require(pass.features).extent
        for w in detected {
            let r = Int(w.row.rounded()) + e.top
            let c = Int(w.col.rounded()) + e.left
            #expect(pass.level[r * pass.scores.nc + c] == 4, "\(w) maps off the level")
            var wanted = [Bool](repeating: false, count: pass.computed.count)
            detector.mark(&wanted, around: (r, c), pass: pass, layout: layout, search: ProposalSearch())
            let cell = w.cellRow * pass.scores.nc + w.cellCol
            #expect(wanted[cell] || pass.computed[cell], "\(w) not covered by a proposal at (\(r), \(c))")
            // Only fine-level cells pass A did not compute are marked.
            #expect(wanted.indices.allSatisfy { !wanted[$0] || (pass.level[$0] < 4 && !pass.computed[$0]) })
        }
    }

    /// The learned search on photos with faces from 40 to 400 px (and none): the whole run's boxes, with pass B
    /// bounded by the fine levels whole.
    @Test(arguments: [
        "group/bbt1.jpg", "group/selfie-many-people.jpg", "group/couple.jpg", "group/bald_guys.jpg", "obama/obama_small.jpg",
        "none/dog.jpg",
    ])
    func learnedSearchFindsTheWholeRunsFaces(_ path: String) throws {
        let detector = try Self.detector.get()
        let image = try Self.image(path)
        var coverage = DetectionCoverage()
        let found = detector.detect(in: image, search: .learned, coverage: &coverage)
        let whole = detector.detect(in: image)
        #expect(found.map(\.rect) == whole.map(\.rect), "\(path): \(found) vs \(whole)")
        #expect(zip(found, whole).allSatisfy { abs($0.confidence - $1.confidence) <= 5e-5 }, "\(path)")
        // Pass B never costs more than the fine levels whole (with crowded proposals it is those).
        let field = try #require(detector.field)
        let (input, layout) = detector.pyramidTensor(image)
        let fine = detector.passA(input, layout: layout, field: field, search: .learned, keepFeatures: false).fineRects
        #expect(coverage.passBPixels <= fine.reduce(0) { $0 + $1.area }, "\(path): \(coverage)")
        #expect(coverage.proposals > 0 || whole.isEmpty, "\(path): \(coverage)")
    }

    /// Empty, tiny and oversized images: no sample and no detections, without running the network.
    @Test func refusals() throws {
        let detector = try Self.detector.get()
        let empty = RGBImage(width: 0, height: 0, pixels: [])
        let tiny = RGBImage(width: 12, height: 9, pixels: [UInt8](repeating: 128, count: 12 * 9 * 3))
        let huge = RGBImage(
            width: FaceDetector.maxSide + 1, height: 1, pixels: [UInt8](repeating: 0, count: (FaceDetector.maxSide + 1) * 3))
        for image in [empty, tiny, huge] {
            #expect(detector.proposalSample(in: image) == nil, "\(image.width)x\(image.height)")
            var coverage = DetectionCoverage()
            #expect(detector.detect(in: image, search: .learned, coverage: &coverage).isEmpty)
        }
        // A pyramid without a level past the first whole one has no sample; with level 0 as the first, neither.
        let small = try Self.image("John_Salley/000179_02159509.jpg")
        #expect(detector.proposalSample(in: small, firstWholeLevel: 40) == nil)
        #expect(detector.proposalSample(in: small, firstWholeLevel: 0) == nil)
    }
}
