import Foundation
import Testing

@testable import FaceKit

/// Parsing dlib's two CNN model files and refusing malformed ones.
@Suite(.enabled(if: CNNTestData.modelsAvailable, "needs models/*.dat"))
struct DlibNetworkFileTests {
    @Test func parsesTheMMODDetector() throws {
        let file = try DlibNetworkFile(contentsOfFile: CNNTestData.detectorPath)
        guard case .mmod(let opts) = file.loss else {
            Issue.record("loss is not mmod")
            return
        }
        guard case .rgbImagePyramid(let means, _, _) = file.input else {
            Issue.record("input is not a pyramid")
            return
        }
        #expect(abs(means.red - 122.782) < 1e-3 && abs(means.green - 117.001) < 1e-3 && abs(means.blue - 104.298) < 1e-3)
        #expect(opts.windows.count == 1)
        let kinds = file.layers.map(\.kindName)
        // relu<affine<con5d<16>>> ×3 (16, 32, 32), rcon5 ×3, con<1,9,9>.
        #expect(
            kinds == [
                "con", "affine", "relu", "con", "affine", "relu", "con", "affine", "relu",
                "con", "affine", "relu", "con", "affine", "relu", "con", "affine", "relu", "con",
            ])
        let convs = file.layers.compactMap { if case .convolution(let c) = $0 { c } else { nil } }
        #expect(convs.map(\.outChannels) == [16, 32, 32, 45, 45, 45, 1])
        #expect(convs.map(\.strideX) == [2, 2, 2, 1, 1, 1, 1])
        #expect(convs.map(\.kernelRows) == [5, 5, 5, 5, 5, 5, 9])
        #expect(opts.windows[0].width == 80 && opts.windows[0].height == 80)
        #expect(abs(opts.overlapsNMS.iouThreshold - 0.33828) < 1e-4 && opts.overlapsNMS.percentCoveredThreshold == 1)
    }

    @Test func parsesTheResNet() throws {
        let file = try DlibNetworkFile(contentsOfFile: CNNTestData.resnetPath)
        guard case .metric = file.loss else {
            Issue.record("loss is not metric")
            return
        }
        guard case .rgbImageSized(_, let rows, let cols) = file.input else {
            Issue.record("input is not sized")
            return
        }
        #expect(rows == 150 && cols == 150)
        let convs = file.layers.compactMap { if case .convolution(let c) = $0 { c } else { nil } }
        // dnn_face_recognition_ex.cpp: a stem conv, then 14 residual blocks of 2 convs each
        // (levels of 3, 4, 3, 3, 1 blocks); 4 of them are residual_down (tag1, tag2, skip1) and
        // 10 plain residual (tag1).
        #expect(convs.count == 29)
        #expect(file.layers.filter { if case .addPrevious = $0 { true } else { false } }.count == 14)
        #expect(file.layers.filter { if case .marker = $0 { true } else { false } }.count == 4 * 3 + 10)
        guard case .fullyConnected(let fc) = file.layers.last else {
            Issue.record("last layer is not fc")
            return
        }
        #expect(fc.outputs == 128 && fc.inputs == 256 && fc.bias.isEmpty)
    }

    @Test func refusesTruncatedAndGarbageStreams() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: CNNTestData.detectorPath)))
        for cut in [0, 1, 10, 100, bytes.count / 2, bytes.count - 1] {
            #expect(throws: FaceModelError.self) { try DlibNetworkFile(bytes: Array(bytes[0..<cut])) }
        }
        #expect(throws: FaceModelError.self) { try DlibNetworkFile(bytes: bytes + [0]) }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var corrupt = bytes
            for _ in 0..<8 { corrupt[Int.random(in: 0..<min(corrupt.count, 4000), using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            _ = try? DlibNetworkFile(bytes: corrupt) // must not crash or hang
        }
    }
}
