import Foundation
import Testing

@testable import FaceKit

/// The ResNet descriptor against dlib's own descriptors of dlib's own chips.
@Suite(.enabled(if: CNNTestData.available, "needs models/ and ../shared/testdata"))
struct FaceDescriptorNetworkTests {
    @Test func matchesDlibOnItsChips() throws {
        let net = try FaceDescriptorNetwork(modelPath: CNNTestData.resnetPath)
        let reference = try CNNTestData.reference("dlib_reference.json")
        var pairs: [(chip: String, descriptor: [Double])] = []
        for (_, entry) in reference {
            for (_, dets) in entry.cnn {
                for d in dets { if let chip = d.chip, d.descriptor.count == 128 { pairs.append((chip, d.descriptor)) } }
            }
        }
        pairs.sort { $0.chip < $1.chip }
        try #require(pairs.count >= 100, "expected the chip set, found \(pairs.count) chips")
        var worst = 0.0
        for (chip, expected) in pairs {
            let path = CNNTestData.testdata.appendingPathComponent("faces").appendingPathComponent(chip).standardizedFileURL.path
            let image = try CNNTestData.loadPNG(path)
            let got = try net.descriptor(ofChip: image)
            #expect(got.count == 128)
            let d = CNNTestData.distance(got, expected)
            worst = max(worst, d)
            #expect(d < 0.01, "\(chip): distance \(d) to dlib's descriptor")
        }
        print("descriptor parity: \(pairs.count) chips, worst distance \(worst)")
    }

    @Test func batchEqualsSingle() throws {
        let net = try FaceDescriptorNetwork(modelPath: CNNTestData.resnetPath)
        let dir = CNNTestData.testdata.appendingPathComponent("faces_dlib_chips")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".png") }.sorted().prefix(3)
        let chips = try names.map { try CNNTestData.loadPNG(dir.appendingPathComponent($0).path) }
        let batch = try net.descriptors(ofChips: chips)
        for (i, chip) in chips.enumerated() {
            let single = try net.descriptor(ofChip: chip)
            #expect(zip(single, batch[i]).allSatisfy { abs($0 - $1) < 1e-5 })
        }
    }

    @Test func refusesWrongChipSize() throws {
        let net = try FaceDescriptorNetwork(modelPath: CNNTestData.resnetPath)
        #expect(throws: FaceModelError.self) { try net.descriptor(ofChip: RGBImage(width: 100, height: 150)) }
    }
}
