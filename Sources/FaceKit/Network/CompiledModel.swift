#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A dlib network ready to run: what its output means, how pixels enter, and the program.
/// Comes either from a dlib `.dat` file (parsed and compiled, ~40 ms for the ResNet) or from a
/// compiled `.imgc` file written by ``FaceModelCompiler`` (memory-mapped, ~1 ms).
struct LoadedNetwork: Sendable {
    var loss: DlibLoss
    var input: DlibInputLayer
    var graph: DlibNetworkGraph

    /// Loads `path`: an `.imgc` file, or a dlib `.dat` file — using `<path>.imgc` instead when
    /// that exists and was compiled from this very `.dat` (same size and sampled content).
    static func load(path: String) throws(FaceModelError) -> LoadedNetwork {
        if path.hasSuffix(CompiledModelFormat.fileExtension) { return try CompiledModelFormat.read(path: path, expecting: nil) }
        let compiled = path + CompiledModelFormat.fileExtension
        if FileManager.default.fileExists(atPath: compiled), let fingerprint = try? CompiledModelFormat.fingerprint(ofFile: path),
            let network = try? CompiledModelFormat.read(path: compiled, expecting: fingerprint)
        {
            return network
        }
        let file = try DlibNetworkFile(contentsOfFile: path)
        return LoadedNetwork(loss: file.loss, input: file.input, graph: try DlibNetworkGraph(layers: file.layers))
    }
}

/// Writes compiled models next to dlib's files, for fast cold starts.
public enum FaceModelCompiler {
    /// Compiles the dlib DNN model at `path` (`mmod_human_face_detector.dat` or
    /// `dlib_face_recognition_resnet_model_v1.dat`) into `<path>.imgc`, which ``FaceDetector``
    /// and ``FaceDescriptorNetwork`` then load by memory-mapping. Returns the written path.
    @discardableResult
    public static func compile(modelAt path: String) throws(FaceModelError) -> String {
        let file = try DlibNetworkFile(contentsOfFile: path)
        let network = LoadedNetwork(loss: file.loss, input: file.input, graph: try DlibNetworkGraph(layers: file.layers))
        let out = path + CompiledModelFormat.fileExtension
        try CompiledModelFormat.write(network, fingerprint: try CompiledModelFormat.fingerprint(ofFile: path), to: out)
        return out
    }
}

/// The `.imgc` layout: `"IMGCNN01"`, a little-endian UInt64 header length, a JSON header
/// (network kind, input, loss options, program with blob references, source fingerprint),
/// zero padding to a 64-byte boundary, then every float parameter as little-endian float32,
/// each array starting on a 64-byte boundary (offsets in the header are relative to the blob).
enum CompiledModelFormat {
    static let fileExtension = ".imgc"
    static let magic = Array("IMGCNN01".utf8)
    static let version = 1
    static let maxFileBytes = 1 << 30
    static let maxHeaderBytes = 1 << 24

    /// Identifies the `.dat` a compiled file came from without reading all of it.
    struct Fingerprint: Codable, Equatable {
        var size: Int
        /// FNV-1a over the first and last 64 KiB.
        var sample: UInt64
    }

    struct Blob: Codable {
        var offset: Int
        var count: Int
    }

    struct Step: Codable {
        var op: String
        /// conv: out, in, kr, kc, sy, sx, py, px · pool: kind(0 max, 1 avg), wr, wc, sy, sx, py, px · fc: inputs, outputs · affine: mode(0 channel, 1 element)
        var ints: [Int] = []
        var relu: Bool = false
        var weights: Blob?
        var bias: Blob?
        var gamma: Blob?
        var beta: Blob?
    }

    struct Header: Codable {
        var version: Int
        var source: Fingerprint
        var kind: String // "mmod" | "metric"
        var mmod: MMODOptions?
        var metric: [Float]? // margin, distance threshold
        var means: RGBMeans
        var inputKind: String // "sized" | "pyramid"
        var inputInts: [Int] // rows, cols | padding, outer padding
        var steps: [Step]
    }

    static func fingerprint(ofFile path: String) throws(FaceModelError) -> Fingerprint {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FaceModelError(.unreadable, "cannot open \(path)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FaceModelError(.unreadable, "cannot stat \(path)") }
        let size = Int(st.st_size)
        let chunk = 1 << 16
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var buffer = [UInt8](repeating: 0, count: chunk)
        for start in Set([0, max(0, size - chunk)]).sorted() {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, chunk, off_t(start)) }
            guard n >= 0 else { throw FaceModelError(.unreadable, "cannot read \(path)") }
            for i in 0..<n { hash = (hash ^ UInt64(buffer[i])) &* 0x100_0000_01b3 }
        }
        return Fingerprint(size: size, sample: hash)
    }

    // MARK: Writing

    static func write(_ network: LoadedNetwork, fingerprint: Fingerprint, to path: String) throws(FaceModelError) {
        var blob: [Float] = []
        func add(_ values: [Float]) -> Blob {
            while blob.count % 16 != 0 { blob.append(0) }
            let b = Blob(offset: blob.count * 4, count: values.count)
            blob += values
            return b
        }
        var steps: [Step] = []
        for step in network.graph.steps {
            switch step {
            case .convolution(let c):
                steps.append(
                    Step(
                        op: "conv", ints: [c.outChannels, c.inChannels, c.kernelRows, c.kernelCols, c.strideY, c.strideX, c.padY, c.padX],
                        relu: c.relu, weights: add(c.weights.values), bias: add(c.bias)))
            case .affine(let a):
                steps.append(Step(op: "affine", ints: [a.mode == .perChannel ? 0 : 1], gamma: add(a.gamma), beta: add(a.beta)))
            case .relu: steps.append(Step(op: "relu"))
            case .pooling(let p):
                steps.append(
                    Step(op: "pool", ints: [p.kind == .max ? 0 : 1, p.windowRows, p.windowCols, p.strideY, p.strideX, p.padY, p.padX]))
            case .fullyConnected(let f):
                steps.append(Step(op: "fc", ints: [f.inputs, f.outputs], weights: add(f.weights.values), bias: add(f.bias)))
            case .save: steps.append(Step(op: "save"))
            case .skipToPrevious: steps.append(Step(op: "skip"))
            case .addSaved: steps.append(Step(op: "add"))
            }
        }
        var header = Header(
            version: version, source: fingerprint, kind: "", means: RGBMeans(red: 0, green: 0, blue: 0),
            inputKind: "", inputInts: [], steps: steps)
        switch network.loss {
        case .mmod(let o):
            header.kind = "mmod"
            header.mmod = o
        case .metric(let m, let d):
            header.kind = "metric"
            header.metric = [m, d]
        }
        switch network.input {
        case .rgbImageSized(let m, let r, let c):
            header.means = m
            header.inputKind = "sized"
            header.inputInts = [r, c]
        case .rgbImagePyramid(let m, let p, let o):
            header.means = m
            header.inputKind = "pyramid"
            header.inputInts = [p, o]
        }
        let json: Data
        do { json = try JSONEncoder().encode(header) } catch { throw FaceModelError(.malformed, "cannot encode model header: \(error)") }
        var bytes = magic
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { bytes += $0 }
        bytes += json
        while bytes.count % 64 != 0 { bytes.append(0) }
        blob.withUnsafeBytes { bytes += $0 } // x86-64 and arm64 are little-endian
        let tmp = path + ".tmp\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(bytes)), rename(tmp, path) == 0 else {
            unlink(tmp)
            throw FaceModelError(.unreadable, "cannot write \(path)")
        }
    }

    // MARK: Reading

    static func read(path: String, expecting source: Fingerprint?) throws(FaceModelError) -> LoadedNetwork {
        let file = try MappedFile(path: path, maxBytes: maxFileBytes)
        func fail(_ why: String) -> FaceModelError { FaceModelError(.malformed, "\(path): \(why)") }
        guard file.size >= 16, Array(file.bytes(0..<8)) == magic else { throw fail("not a compiled FaceKit model") }
        var length: UInt64 = 0
        withUnsafeMutableBytes(of: &length) { $0.copyMemory(from: file.bytes(8..<16)) }
        let headerLength = Int(clamping: UInt64(littleEndian: length))
        guard headerLength <= maxHeaderBytes, 16 + headerLength <= file.size else { throw fail("bad header length") }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: Data(file.bytes(16..<(16 + headerLength)))) } catch {
            throw fail("unreadable header (\(error))")
        }
        guard header.version == version else { throw fail("format version \(header.version), expected \(version)") }
        if let source, source != header.source { throw fail("compiled from a different model file") }
        let blobStart = (16 + headerLength + 63) / 64 * 64
        guard blobStart <= file.size else { throw fail("truncated") }
        let blobBytes = file.size - blobStart

        func storage(_ b: Blob?, _ expected: Int) throws(FaceModelError) -> FloatStorage {
            guard let b, b.count == expected, b.offset >= 0, b.offset % 4 == 0, b.count >= 0,
                b.count <= (blobBytes - min(b.offset, blobBytes)) / 4
            else { throw fail("parameter block out of range or of the wrong size") }
            return FloatStorage(mapped: file, byteOffset: blobStart + b.offset, count: b.count)
        }
        func array(_ b: Blob?, _ expected: Int) throws(FaceModelError) -> [Float] { try storage(b, expected).values }
        func positive(_ v: [Int], _ n: Int, _ range: ClosedRange<Int> = 1...100_000) throws(FaceModelError) -> [Int] {
            guard v.count == n, v.allSatisfy(range.contains) else { throw fail("bad layer geometry \(v)") }
            return v
        }

        var steps: [DlibNetworkGraph.Step] = []
        var depth = 0
        for s in header.steps {
            switch s.op {
            case "conv":
                let v = try positive(s.ints, 8, 0...100_000)
                guard v[0] >= 1, v[1] >= 1, v[2] >= 1, v[3] >= 1, v[4] >= 1, v[5] >= 1, v[6] < v[2], v[7] < v[3] else {
                    throw fail("bad convolution \(v)")
                }
                let (f, k) = (v[0], v[1] * v[2] * v[3])
                guard f.multipliedReportingOverflow(by: k).overflow == false else { throw fail("convolution too large") }
                steps.append(
                    .convolution(
                        Convolution(
                            outChannels: f, inChannels: v[1], kernelRows: v[2], kernelCols: v[3],
                            strideY: v[4], strideX: v[5], padY: v[6], padX: v[7],
                            weights: try storage(s.weights, f * k), bias: try array(s.bias, s.bias?.count == 0 ? 0 : f),
                            relu: s.relu)))
            case "affine":
                let mode = try positive(s.ints, 1, 0...1)[0]
                let n = s.gamma?.count ?? -1
                guard n >= 1 else { throw fail("bad affine") }
                steps.append(
                    .affine(Affine(mode: mode == 0 ? .perChannel : .perElement, gamma: try array(s.gamma, n), beta: try array(s.beta, n))))
            case "relu": steps.append(.relu)
            case "pool":
                let v = try positive(s.ints, 7, 0...100_000)
                guard v[0] <= 1, v[3] >= 1, v[4] >= 1, (v[1] == 0) == (v[2] == 0) else { throw fail("bad pooling \(v)") }
                steps.append(
                    .pooling(
                        Pooling(
                            kind: v[0] == 0 ? .max : .average, windowRows: v[1], windowCols: v[2],
                            strideY: v[3], strideX: v[4], padY: v[5], padX: v[6])))
            case "fc":
                let v = try positive(s.ints, 2, 1...(1 << 26))
                guard v[0].multipliedReportingOverflow(by: v[1]).overflow == false else { throw fail("fc too large") }
                steps.append(
                    .fullyConnected(
                        FullyConnected(
                            inputs: v[0], outputs: v[1], weights: try storage(s.weights, v[0] * v[1]),
                            bias: try array(s.bias, s.bias?.count == 0 ? 0 : v[1]))))
            case "save":
                steps.append(.save)
                depth += 1
            case "skip":
                guard depth >= 2 else { throw fail("skip without two saved tensors") }
                steps.append(.skipToPrevious)
                depth -= 1
            case "add":
                guard depth >= 1 else { throw fail("add without a saved tensor") }
                steps.append(.addSaved)
                depth -= 1
            default: throw fail("unknown step \(s.op.prefix(20))")
            }
        }
        let loss: DlibLoss
        switch (header.kind, header.mmod, header.metric) {
        case ("mmod", let o?, _):
            guard !o.windows.isEmpty,
                o.windows.allSatisfy({ $0.width >= 1 && $0.height >= 1 && $0.width <= 100_000 && $0.height <= 100_000 })
            else { throw fail("bad detector windows") }
            loss = .mmod(o)
        case ("metric", _, let m?) where m.count == 2: loss = .metric(margin: m[0], distanceThreshold: m[1])
        default: throw fail("unknown network kind")
        }
        let input: DlibInputLayer
        switch (header.inputKind, header.inputInts.count) {
        case ("sized", 2):
            let v = try positive(header.inputInts, 2, 1...10_000)
            input = .rgbImageSized(means: header.means, rows: v[0], cols: v[1])
        case ("pyramid", 2):
            let v = try positive(header.inputInts, 2, 0...10_000)
            input = .rgbImagePyramid(means: header.means, padding: v[0], outerPadding: v[1])
        default: throw fail("unknown input layer")
        }
        return LoadedNetwork(loss: loss, input: input, graph: DlibNetworkGraph(compiledSteps: steps))
    }
}
