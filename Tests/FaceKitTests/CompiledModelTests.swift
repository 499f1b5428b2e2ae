import Foundation
import Testing

@testable import FaceKit

/// Compiled `.imgc` models give the same answers as dlib's files and refuse damage.
@Suite(.enabled(if: CNNTestData.available, "needs models/ and ../shared/testdata"))
struct CompiledModelTests {
    /// A scratch folder with copies of the two CNN models.
    static func scratchModels() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "facekit-compiled-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for path in [CNNTestData.detectorPath, CNNTestData.resnetPath] {
            try FileManager.default.copyItem(
                atPath: path, toPath: dir.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path)
        }
        return dir
    }

    @Test func compiledModelsGiveIdenticalResults() throws {
        let dir = try Self.scratchModels()
        defer { try? FileManager.default.removeItem(at: dir) }
        let det = dir.appendingPathComponent(FaceAnalyzer.detectorFile).path
        let res = dir.appendingPathComponent(FaceAnalyzer.descriptorFile).path
        let plainDetector = try FaceDetector(modelPath: det)
        let plainNet = try FaceDescriptorNetwork(modelPath: res)
        #expect(try FaceModelCompiler.compile(modelAt: det) == det + ".imgc")
        try FaceModelCompiler.compile(modelAt: res)
        // Loading the .dat now picks the .imgc up; loading the .imgc directly works too.
        for (detector, net) in [
            (try FaceDetector(modelPath: det), try FaceDescriptorNetwork(modelPath: res)),
            (try FaceDetector(modelPath: det + ".imgc"), try FaceDescriptorNetwork(modelPath: res + ".imgc")),
        ] {
            let image = try CNNTestData.loadImage(CNNTestData.testdata.appendingPathComponent("faces/group/2008_001322.jpg").path)
            #expect(detector.detect(in: image) == plainDetector.detect(in: image))
            let chip = try CNNTestData.loadPNG(
                CNNTestData.testdata.appendingPathComponent("faces_dlib_chips/John_Salley__000179_02159509_cnn0_0.png").path)
            let a = try net.descriptor(ofChip: chip)
            let b = try plainNet.descriptor(ofChip: chip)
            #expect(zip(a, b).allSatisfy { $0 == $1 })
        }
    }

    @Test func damagedOrStaleCompiledFilesAreNotUsed() throws {
        let dir = try Self.scratchModels()
        defer { try? FileManager.default.removeItem(at: dir) }
        let res = dir.appendingPathComponent(FaceAnalyzer.descriptorFile).path
        let compiled = try FaceModelCompiler.compile(modelAt: res)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: compiled)))
        // Truncated and garbage headers are errors when loaded directly...
        try Data(bytes[0..<100]).write(to: URL(fileURLWithPath: compiled))
        #expect(throws: FaceModelError.self) { try FaceDescriptorNetwork(modelPath: compiled) }
        bytes[20] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: compiled))
        #expect(throws: FaceModelError.self) { try FaceDescriptorNetwork(modelPath: compiled) }
        // ...and next to the .dat they are ignored in favour of the .dat itself.
        let net = try FaceDescriptorNetwork(modelPath: res)
        #expect(net.chipRows == 150)
        // A compiled file from another model is refused.
        let det = dir.appendingPathComponent(FaceAnalyzer.detectorFile).path
        try FileManager.default.removeItem(atPath: compiled)
        try FileManager.default.copyItem(atPath: try FaceModelCompiler.compile(modelAt: det), toPath: compiled)
        #expect(throws: FaceModelError.self) { try FaceDescriptorNetwork(modelPath: compiled) }
        #expect(try FaceDescriptorNetwork(modelPath: res).chipRows == 150)
    }
}
