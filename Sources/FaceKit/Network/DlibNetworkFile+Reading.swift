#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

extension DlibNetworkFile {
    /// Upper bound on layers, so a hostile stream cannot drive unbounded work.
    static let maxLayers = 10_000
    /// Upper bound on floats in one tensor (256 M values).
    static let maxTensorValues = 1 << 28

    /// Reads a dlib model file (`serialize(net)` output).
    init(contentsOfFile path: String) throws(FaceModelError) {
        try self.init(bytes: try Self.readFile(path), name: path)
    }

    /// Largest model file accepted (1 GB).
    static let maxFileBytes = 1 << 30

    /// The whole file in one `read` loop straight into the array (Foundation's `Data` path
    /// copies twice and cost a third of the ResNet's load time).
    static func readFile(_ path: String) throws(FaceModelError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FaceModelError(.unreadable, "cannot open model \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw FaceModelError(.unreadable, "model \(path) is not a regular file")
        }
        let size = Int(st.st_size)
        guard size <= maxFileBytes else { throw FaceModelError(.unreadable, "model \(path) is larger than \(maxFileBytes) bytes") }
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    failure = n < 0 ? errno : EIO
                    break
                }
                done += n
            }
            count = done
        }
        guard failure == 0, bytes.count == size else {
            throw FaceModelError(.unreadable, "cannot read model \(path): \(String(cString: strerror(failure == 0 ? EIO : failure)))")
        }
        return bytes
    }

    /// Parses a whole dlib network stream; `name` only labels error messages.
    init(bytes: [UInt8], name: String = "model") throws(FaceModelError) {
        var reader = DlibDeserializer(bytes: bytes)
        do {
            try self.init(reading: &reader)
        } catch let e as FaceModelError {
            throw FaceModelError(e.code, "\(name): \(e.message) (at byte \(reader.offset))")
        } catch let e as DlibFormatError {
            throw FaceModelError(.malformed, "\(name): \(e.description)")
        } catch {
            throw FaceModelError(.malformed, "\(name): \(error)")
        }
        guard reader.isAtEnd else {
            throw FaceModelError(.malformed, "\(name): \(reader.remaining) unexpected bytes after the network")
        }
    }

    private init(reading r: inout DlibDeserializer) throws {
        // add_loss_layer: version 1, loss details, sub-network.
        try Self.expectVersion(&r, 1...1, "add_loss_layer")
        loss = try Self.readLoss(&r)

        // Walk down the add_layer / tag chain to the input layer. Each entry is a version;
        // add_layer's details follow only after everything below it.
        enum Pending {
            case layer(version: Int)
            case marker
        }
        var pending: [Pending] = []
        var inputVersion = 0
        while true {
            guard pending.count < Self.maxLayers else { throw FaceModelError(.unsupported, "more than \(Self.maxLayers) layers") }
            let version = try r.readInt(in: 0...1000)
            if Self.nextIsInputLayer(r) {
                guard (2...3).contains(version) else {
                    throw FaceModelError(
                        .unsupported, "layer directly on the input has version \(version); only add_layer (2, 3) is supported")
                }
                inputVersion = version
                break
            }
            switch version {
            case 2: pending.append(.layer(version: 2))
            case 1: pending.append(.marker)
            default:
                throw FaceModelError(
                    .unsupported, "unknown layer wrapper version \(version) (repeat<> and old add_layer formats are not supported)")
            }
        }

        input = try Self.readInput(&r)
        var layers: [DlibLayerRecord] = []
        // The add_layer sitting on the input: details, 3 bools, x_grad, cached_output, grad_final, [sample_expansion_factor].
        layers.append(try Self.readLayerDetails(&r))
        for _ in 0..<3 { _ = try r.readBool() }
        for _ in 0..<3 { try Self.skipTensor(&r) }
        if inputVersion >= 3 { _ = try r.readInt64() }

        for entry in pending.reversed() {
            switch entry {
            case .marker:
                layers.append(.marker)
            case .layer(let version):
                layers.append(try Self.readLayerDetails(&r))
                for _ in 0..<3 { _ = try r.readBool() }
                try Self.skipTensor(&r) // x_grad
                try Self.skipTensor(&r) // cached_output
                if version == 2 { try Self.skipTensor(&r) } // params_grad
            }
        }
        self.layers = layers
    }

    // MARK: - Pieces

    private static func expectVersion(_ r: inout DlibDeserializer, _ allowed: ClosedRange<Int>, _ what: String) throws {
        let v = try r.readInt(in: -1_000_000...1_000_000)
        guard allowed.contains(v) else { throw FaceModelError(.unsupported, "\(what) version \(v), expected \(allowed)") }
    }

    /// Whether the next value is a string naming an input layer (`input...`).
    private static func nextIsInputLayer(_ r: DlibDeserializer) -> Bool {
        var probe = r
        guard let name = try? probe.readString() else { return false }
        return name.hasPrefix("input")
    }

    private static func readLoss(_ r: inout DlibDeserializer) throws -> DlibLoss {
        let name = try r.readString()
        switch name {
        case "loss_mmod_":
            return .mmod(try readMMODOptions(&r))
        case "loss_metric_":
            return .metric(margin: 0.1, distanceThreshold: 0.75)
        case "loss_metric_2":
            return .metric(margin: try r.readFloat(), distanceThreshold: try r.readFloat())
        default:
            throw FaceModelError(.unsupported, "loss layer \"\(name.prefix(40))\" is not supported")
        }
    }

    private static func readMMODOptions(_ r: inout DlibDeserializer) throws -> MMODOptions {
        let version = try r.readInt(in: 0...1000)
        guard (1...4).contains(version) else { throw FaceModelError(.unsupported, "mmod_options version \(version)") }
        var windows: [MMODOptions.Window] = []
        if version == 1 {
            windows = [.init(width: try r.readInt(in: 1...100_000), height: try r.readInt(in: 1...100_000), label: "")]
        } else {
            let count = try r.readCount(minimumBytesPerElement: 3)
            guard count >= 1 else { throw FaceModelError(.malformed, "mmod_options without detector windows") }
            for _ in 0..<count {
                let wv = try r.readInt(in: 0...1000)
                guard wv == 1 || wv == 2 else { throw FaceModelError(.unsupported, "detector window version \(wv)") }
                let w = try r.readInt(in: 1...100_000)
                let h = try r.readInt(in: 1...100_000)
                windows.append(.init(width: w, height: h, label: wv == 2 ? try r.readString() : ""))
            }
        }
        let fa = try r.readDouble()
        let miss = try r.readDouble()
        let truth = try r.readDouble()
        let nms = BoxOverlapTest(iouThreshold: try r.readDouble(), percentCoveredThreshold: try r.readDouble())
        let ignore = BoxOverlapTest(iouThreshold: try r.readDouble(), percentCoveredThreshold: try r.readDouble())
        var pyramid = true
        if version >= 3 { pyramid = try r.readByte() != 0 }
        var bbr = false
        var lambda = 100.0
        if version >= 4 {
            bbr = try r.readBool()
            lambda = try r.readDouble()
        }
        return MMODOptions(
            windows: windows, lossPerFalseAlarm: fa, lossPerMissedTarget: miss, truthMatchIOUThreshold: truth,
            overlapsNMS: nms, overlapsIgnore: ignore, assumeImagePyramid: pyramid,
            useBoundingBoxRegression: bbr, bbrLambda: lambda)
    }

    private static func readInput(_ r: inout DlibDeserializer) throws -> DlibInputLayer {
        let name = try r.readString()
        switch name {
        case "input_rgb_image_sized":
            let means = RGBMeans(red: try r.readFloat(), green: try r.readFloat(), blue: try r.readFloat())
            let rows = try r.readInt(in: 1...10_000)
            let cols = try r.readInt(in: 1...10_000)
            return .rgbImageSized(means: means, rows: rows, cols: cols)
        case "input_rgb_image_pyramid", "input_rgb_image_pyramid2":
            let means = RGBMeans(red: try r.readFloat(), green: try r.readFloat(), blue: try r.readFloat())
            var padding = 10
            var outer = 11
            if name == "input_rgb_image_pyramid2" {
                padding = try r.readInt(in: 0...10_000)
                outer = try r.readInt(in: 0...10_000)
            }
            return .rgbImagePyramid(means: means, padding: padding, outerPadding: outer)
        default:
            throw FaceModelError(.unsupported, "input layer \"\(name.prefix(40))\" is not supported")
        }
    }

    /// A `resizable_tensor`: version 2, four int64 dimensions, raw little-endian floats.
    private static func readTensor(_ r: inout DlibDeserializer) throws -> Tensor {
        try expectVersion(&r, 2...2, "tensor")
        let n = try r.readInt(in: 0...maxTensorValues)
        let k = try r.readInt(in: 0...maxTensorValues)
        let nr = try r.readInt(in: 0...maxTensorValues)
        let nc = try r.readInt(in: 0...maxTensorValues)
        let (nk, o1) = n.multipliedReportingOverflow(by: k)
        let (nkr, o2) = nk.multipliedReportingOverflow(by: nr)
        let (count, o3) = nkr.multipliedReportingOverflow(by: nc)
        guard !o1, !o2, !o3, count <= maxTensorValues else {
            throw FaceModelError(.malformed, "tensor of \(n)x\(k)x\(nr)x\(nc) is too large")
        }
        return Tensor(n: n, k: k, nr: nr, nc: nc, data: try r.readRawFloats(count: count))
    }

    /// Skips a tensor's data without materialising it (training state: gradients, cached outputs).
    private static func skipTensor(_ r: inout DlibDeserializer) throws {
        try expectVersion(&r, 2...2, "tensor")
        var count = 1
        for _ in 0..<4 {
            let (c, o) = count.multipliedReportingOverflow(by: try r.readInt(in: 0...maxTensorValues))
            guard !o, c <= maxTensorValues else { throw FaceModelError(.malformed, "tensor too large") }
            count = c
        }
        try r.skip(count * 4)
    }

    /// Splits a parameter block into its leading `headCount` values and the `tailCount` after them,
    /// reusing the block's storage for the head (model loading copies 22 MB less this way).
    private static func split(_ params: inout Tensor, head headCount: Int, tail tailCount: Int, _ what: String) throws -> ([Float], [Float])
    {
        guard headCount >= 0, tailCount >= 0, headCount + tailCount <= params.data.count else {
            throw FaceModelError(.malformed, "\(what) needs \(headCount + tailCount) parameters, the layer stores \(params.data.count)")
        }
        var head = params.data
        params.data = [] // keep `head` uniquely referenced so trimming it does not copy
        let tail = Array(head[headCount..<(headCount + tailCount)])
        head.removeSubrange(headCount...)
        return (head, tail)
    }

    /// An `alias_tensor` (a shape into a layer's parameter block): version 1, four int64.
    private static func readAliasShape(_ r: inout DlibDeserializer) throws -> (n: Int, k: Int, nr: Int, nc: Int, count: Int) {
        try expectVersion(&r, 1...1, "alias_tensor")
        let n = try r.readInt(in: 0...maxTensorValues)
        let k = try r.readInt(in: 0...maxTensorValues)
        let nr = try r.readInt(in: 0...maxTensorValues)
        let nc = try r.readInt(in: 0...maxTensorValues)
        let (c1, o1) = n.multipliedReportingOverflow(by: k)
        let (c2, o2) = c1.multipliedReportingOverflow(by: nr)
        let (count, o3) = c2.multipliedReportingOverflow(by: nc)
        guard !o1, !o2, !o3, count <= maxTensorValues else { throw FaceModelError(.malformed, "alias tensor too large") }
        return (n, k, nr, nc, count)
    }

    /// Slices `count` values at `offset` out of a parameter block, checking bounds.
    private static func slice(_ params: Tensor, _ offset: Int, _ count: Int, _ what: String) throws -> [Float] {
        guard offset >= 0, count >= 0, offset + count <= params.data.count else {
            throw FaceModelError(.malformed, "\(what) needs \(offset + count) parameters, the layer stores \(params.data.count)")
        }
        return Array(params.data[offset..<(offset + count)])
    }

    private static func readLayerDetails(_ r: inout DlibDeserializer) throws -> DlibLayerRecord {
        let name = try r.readString()
        switch name {
        case "con_4", "con_5", "con_6":
            var params = try readTensor(&r)
            let filters = try r.readInt(in: 1...100_000)
            let nr = try r.readInt(in: 1...1000)
            let nc = try r.readInt(in: 1...1000)
            let sy = try r.readInt(in: 1...1000)
            let sx = try r.readInt(in: 1...1000)
            let py = try r.readInt(in: 0...999)
            let px = try r.readInt(in: 0...999)
            let fShape = try readAliasShape(&r)
            let bShape = try readAliasShape(&r)
            for _ in 0..<4 { _ = try r.readDouble() } // learning-rate and weight-decay multipliers
            var useBias = true
            var useReLU = false
            if name != "con_4" { useBias = try r.readBool() }
            if name == "con_6" { useReLU = try r.readBool() }
            guard fShape.n == filters, fShape.nr == nr, fShape.nc == nc, fShape.k >= 1, py < nr, px < nc else {
                throw FaceModelError(.malformed, "con_ filter shape \(fShape) does not match \(filters) filters of \(nr)x\(nc)")
            }
            guard !useBias || bShape.count == filters else { throw FaceModelError(.malformed, "con_ bias shape does not match filters") }
            let (weights, bias) = try split(&params, head: fShape.count, tail: useBias ? filters : 0, "con_")
            return .convolution(
                Convolution(
                    outChannels: filters, inChannels: fShape.k, kernelRows: nr, kernelCols: nc,
                    strideY: sy, strideX: sx, padY: py, padX: px,
                    weights: FloatStorage(weights), bias: bias, relu: useReLU))
        case "affine_", "affine_2":
            let params = try readTensor(&r)
            let g = try readAliasShape(&r)
            let b = try readAliasShape(&r)
            let mode = try r.readInt(in: 0...1)
            var disabled = false
            if name == "affine_2" { disabled = try r.readBool() }
            guard g.count == b.count else { throw FaceModelError(.malformed, "affine_ gamma and beta differ in size") }
            if disabled { return .affine(Affine(mode: .perElement, gamma: [], beta: [])) }
            return .affine(
                Affine(
                    mode: mode == 0 ? .perChannel : .perElement, // layer_mode: CONV_MODE = 0, FC_MODE = 1
                    gamma: try slice(params, 0, g.count, "affine_ gamma"),
                    beta: try slice(params, g.count, b.count, "affine_ beta")))
        case "bn_con2", "bn_fc2":
            // dlib converts a stored bn_ into affine_ on load; do the same.
            let params = try readTensor(&r)
            let g = try readAliasShape(&r)
            let b = try readAliasShape(&r)
            _ = try readTensor(&r)
            _ = try readTensor(&r) // means, invstds (training only)
            let runningMeans = try readTensor(&r)
            let runningVariances = try readTensor(&r)
            _ = try r.readInt64() // num_updates
            _ = try r.readInt64() // running_stats_window_size
            for _ in 0..<4 { _ = try r.readDouble() }
            let eps = try r.readDouble()
            let gamma = try slice(params, 0, g.count, "bn_ gamma")
            let beta = try slice(params, g.count, b.count, "bn_ beta")
            guard runningMeans.data.count == g.count, runningVariances.data.count == g.count else {
                throw FaceModelError(.malformed, "bn_ running statistics do not match gamma")
            }
            var ag = [Float](repeating: 0, count: g.count)
            var ab = ag
            for i in 0..<g.count {
                ag[i] = gamma[i] / (runningVariances.data[i] + Float(eps)).squareRoot()
                ab[i] = beta[i] - ag[i] * runningMeans.data[i]
            }
            return .affine(Affine(mode: name == "bn_con2" ? .perChannel : .perElement, gamma: ag, beta: ab))
        case "relu_", "relu_2":
            if name == "relu_2", try r.readBool() { return .affine(Affine(mode: .perElement, gamma: [], beta: [])) }
            return .relu
        case "max_pool_2", "avg_pool_2":
            let nr = try r.readInt(in: 0...10_000)
            let nc = try r.readInt(in: 0...10_000)
            let sy = try r.readInt(in: 1...10_000)
            let sx = try r.readInt(in: 1...10_000)
            let py = try r.readInt(in: 0...10_000)
            let px = try r.readInt(in: 0...10_000)
            guard (nr == 0) == (nc == 0), nr == 0 || (py < nr && px < nc) else {
                throw FaceModelError(.malformed, "\(name) window \(nr)x\(nc) with padding \(py),\(px)")
            }
            return .pooling(
                Pooling(
                    kind: name == "max_pool_2" ? .max : .average, windowRows: nr, windowCols: nc,
                    strideY: sy, strideX: sx, padY: py, padX: px))
        case "fc_2", "fc_3":
            let outputs = try r.readInt(in: 1...maxTensorValues)
            let inputs = try r.readInt(in: 1...maxTensorValues)
            var params = try readTensor(&r)
            let w = try readAliasShape(&r)
            let b = try readAliasShape(&r)
            let biasMode = try r.readInt(in: 0...1) // 0: FC_HAS_BIAS, 1: FC_NO_BIAS
            for _ in 0..<4 { _ = try r.readDouble() }
            var useBias = biasMode == 0
            if name == "fc_3" { useBias = try r.readBool() && biasMode == 0 }
            guard w.count == inputs * outputs else { throw FaceModelError(.malformed, "fc_ weights \(w.count) != \(inputs)x\(outputs)") }
            let (weights, bias) = try split(&params, head: w.count, tail: useBias ? b.count : 0, "fc_")
            return .fullyConnected(FullyConnected(inputs: inputs, outputs: outputs, weights: FloatStorage(weights), bias: bias))
        case "add_prev_":
            return .addPrevious
        default:
            throw FaceModelError(.unsupported, "layer \"\(name.prefix(40))\" is not supported")
        }
    }
}
