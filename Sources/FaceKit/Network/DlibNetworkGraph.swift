#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A dlib network compiled for inference: the layer list of a ``DlibNetworkFile`` turned into
/// a straight-line program over a small stack of saved tensors.
///
/// Compilation folds each `affine_` (and a following `relu_`) into the convolution before it,
/// which is exact up to float rounding, and resolves dlib's unnamed tag/skip markers with the
/// residual idioms dlib's ResNets are built from (`dlib/dnn` examples):
/// - `add_prev<tag<X>>` (a single marker): the marker saves its input; `add_prev_` adds the
///   most recently saved tensor to the current one and drops it.
/// - `add_prev2<... skip1<tag2<block<tag1<X>>>>>` (two adjacent markers): the first saves the
///   block output (tag2); the second (skip1) switches back to the tensor saved before it
///   (tag1) and drops that save.
/// A marker sequence that fits neither idiom (an `add_prev_` or skip with nothing saved) is refused.
struct DlibNetworkGraph: Sendable {
    /// One instruction.
    enum Step: Sendable {
        case convolution(Convolution)
        case affine(Affine)
        case relu
        case pooling(Pooling)
        case fullyConnected(FullyConnected)
        /// Push the current tensor.
        case save
        /// Make the second-most-recent saved tensor current and remove it from the stack.
        case skipToPrevious
        /// Pop the most recent saved tensor and add it to the current one (dlib's `tt::add`).
        case addSaved

        /// A short description for profiles.
        var name: String {
            switch self {
            case .convolution(let c):
                "con \(c.outChannels)x\(c.inChannels)x\(c.kernelRows)x\(c.kernelCols)/\(c.strideX)\(c.relu ? "+relu" : "")"
            case .affine: "affine"
            case .relu: "relu"
            case .pooling(let p): p.kind == .max ? "max_pool" : "avg_pool"
            case .fullyConnected: "fc"
            case .save: "save"
            case .skipToPrevious: "skip"
            case .addSaved: "add"
            }
        }
    }

    /// The program, in execution order.
    let steps: [Step]

    /// Compiles the stored layers.
    init(layers: [DlibLayerRecord]) throws(FaceModelError) {
        var layers = layers
        var steps: [Step] = []
        var i = 0
        var depth = 0
        while i < layers.count {
            switch layers[i] {
            case .convolution(var conv):
                // Drop the list's reference so the weights are folded in place, not copied.
                layers[i] = .marker
                // Fold following affine_ / relu_ into the convolution.
                var j = i + 1
                if j < layers.count, case .affine(let a) = layers[j], !conv.relu {
                    if a.gamma.isEmpty {
                        j += 1
                    } else if a.mode == .perChannel, a.gamma.count == conv.outChannels {
                        let per = conv.filterSize
                        if conv.bias.isEmpty { conv.bias = [Float](repeating: 0, count: conv.outChannels) }
                        conv.weights.withUnsafeMutableBufferPointer { w in
                            for f in 0..<conv.outChannels {
                                let g = a.gamma[f]
                                for t in (f * per)..<((f + 1) * per) { w[t] *= g }
                            }
                        }
                        for f in 0..<conv.outChannels { conv.bias[f] = conv.bias[f] * a.gamma[f] + a.beta[f] }
                        j += 1
                    }
                }
                if j < layers.count, case .relu = layers[j], !conv.relu {
                    conv.relu = true
                    j += 1
                }
                steps.append(.convolution(conv))
                i = j
                continue
            case .affine(let a):
                if !a.gamma.isEmpty { steps.append(.affine(a)) }
            case .relu:
                steps.append(.relu)
            case .pooling(let p):
                steps.append(.pooling(p))
            case .fullyConnected(let fc):
                steps.append(.fullyConnected(fc))
            case .addPrevious:
                guard depth >= 1 else { throw FaceModelError(.unsupported, "add_prev_ without a tag below it") }
                steps.append(.addSaved)
                depth -= 1
            case .marker:
                if i + 1 < layers.count, case .marker = layers[i + 1] {
                    guard depth >= 1 else { throw FaceModelError(.unsupported, "skip layer without an earlier tag") }
                    steps.append(.save)
                    steps.append(.skipToPrevious)
                    i += 2
                    continue
                }
                steps.append(.save)
                depth += 1
            }
            i += 1
        }
        self.steps = Self.keepingWinogradFilters(steps)
    }

    /// The steps with a ``Winograd3x3Filters`` cache on every layer that runs Winograd F(2x2, 3x3) by preference.
    static func keepingWinogradFilters(_ steps: [Step]) -> [Step] {
        steps.map { step in
            guard case .convolution(var c) = step, c.winograd3x3Applies, c.winograd3x3Pays, c.winograd3x3Filters == nil else { return step }
            c.winograd3x3Filters = Winograd3x3Filters()
            return .convolution(c)
        }
    }

    /// The steps' leading run of two or more strided convolutions, as a ``ConvolutionChain``; nil when there is none.
    static func leadingChain(_ steps: [Step]) -> ConvolutionChain? {
        var layers: [Convolution] = []
        for step in steps {
            guard case .convolution(let c) = step, c.strideY > 1 else { break }
            layers.append(c)
        }
        return layers.count >= 2 ? ConvolutionChain(layers: layers, bandRows: 64) : nil
    }

    /// Set `FACEKIT_PROFILE=1` to print each step's time to stderr (development aid).
    static let profiling = ProcessInfo.processInfo.environment["FACEKIT_PROFILE"] == "1"

    /// This thread's CPU time (profiles stay meaningful on a busy machine).
    static func cpuNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Wraps an already compiled program (from a compiled model file; checked by its reader).
    init(compiledSteps: [Step]) {
        steps = Self.keepingWinogradFilters(compiledSteps)
    }

    /// Checks that every step fits the shape it will receive (channels always; rows and columns
    /// when the input size is fixed), so a malformed model is refused at load time instead of
    /// failing a precondition while running.
    func validate(inputChannels: Int, rows: Int?, cols: Int?) throws(FaceModelError) {
        struct Shape {
            var k: Int
            var r: Int?
            var c: Int?
        }
        func bad(_ why: String) -> FaceModelError { FaceModelError(.malformed, "network does not fit together: \(why)") }
        var x = Shape(k: inputChannels, r: rows, c: cols)
        var saved: [Shape] = []
        for step in steps {
            switch step {
            case .convolution(let cv):
                guard cv.inChannels == x.k else { throw bad("convolution expects \(cv.inChannels) channels, gets \(x.k)") }
                guard cv.weights.count == cv.outChannels * cv.filterSize, cv.bias.isEmpty || cv.bias.count == cv.outChannels else {
                    throw bad("convolution parameter sizes")
                }
                x.k = cv.outChannels
                if let r = x.r, let c = x.c {
                    guard cv.outputRows(r) >= 1, cv.outputCols(c) >= 1 else { throw bad("convolution larger than its input") }
                    x.r = cv.outputRows(r)
                    x.c = cv.outputCols(c)
                }
            case .affine(let a):
                guard a.gamma.count == a.beta.count else { throw bad("affine parameter sizes") }
                if a.mode == .perChannel {
                    guard a.gamma.count == x.k else { throw bad("affine has \(a.gamma.count) channels, input \(x.k)") }
                } else {
                    guard let r = x.r, let c = x.c, a.gamma.count == x.k * r * c else {
                        throw bad("per-element affine on an unknown or different size")
                    }
                }
            case .relu: break
            case .pooling(let p):
                if let r = x.r, let c = x.c {
                    if p.windowRows == 0 {
                        x.r = 1
                        x.c = 1
                    } else {
                        let nr = 1 + (r + 2 * p.padY - p.windowRows) / p.strideY
                        let nc = 1 + (c + 2 * p.padX - p.windowCols) / p.strideX
                        guard r + 2 * p.padY >= p.windowRows, c + 2 * p.padX >= p.windowCols, nr >= 1, nc >= 1 else {
                            throw bad("pooling window larger than its input")
                        }
                        x.r = nr
                        x.c = nc
                    }
                }
            case .fullyConnected(let f):
                guard let r = x.r, let c = x.c, f.inputs == x.k * r * c else { throw bad("fully connected layer input size") }
                guard f.weights.count == f.inputs * f.outputs, f.bias.isEmpty || f.bias.count == f.outputs else {
                    throw bad("fully connected parameter sizes")
                }
                x = Shape(k: f.outputs, r: 1, c: 1)
            case .save: saved.append(x)
            case .skipToPrevious:
                guard saved.count >= 2 else { throw bad("skip without two saved tensors") }
                x = saved.remove(at: saved.count - 2)
            case .addSaved:
                guard let y = saved.popLast() else { throw bad("add without a saved tensor") }
                x.k = max(x.k, y.k)
                if let r = x.r, let c = x.c, let yr = y.r, let yc = y.c {
                    x.r = max(r, yr)
                    x.c = max(c, yc)
                } else {
                    x.r = nil
                    x.c = nil
                }
            }
        }
    }

    /// Runs the program on an input tensor.
    func forward(_ input: consuming Tensor) -> Tensor { forward(input, steps: steps.count) }

    /// Runs the program and also returns the input of its last step (for the detector, the features its
    /// one-filter head reads, which ``ProposalHead`` reads too).
    func forwardKeepingFeatures(_ input: consuming Tensor) -> (features: Tensor, output: Tensor) {
        let features = forward(input, steps: steps.count - 1)
        return (features, run(features, steps[(steps.count - 1)...]))
    }

    /// Runs the first `count` steps.
    private func forward(_ input: consuming Tensor, steps count: Int) -> Tensor {
        var x = consume input
        var remaining = steps[..<count]
        // Leading strided convolutions (the detector's downsampler) run in bands of rows; see ConvolutionChain.
        if x.n == 1, let chain = Self.leadingChain(steps), chain.layers.count <= count {
            let t0 = Self.profiling ? Self.cpuNanoseconds() : 0
            x = chain.forward(consume x)
            remaining = steps[chain.layers.count..<count]
            if Self.profiling {
                let ms = Double(Self.cpuNanoseconds() - t0) / 1e6
                let line = Array(
                    "  \(chain.layers.count) strided convolutions in bands -> \(x.shape): \((ms * 100).rounded() / 100) ms CPU\n".utf8)
                _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            }
        }
        return run(x, remaining)
    }

    /// Runs `program` on `input`.
    private func run(_ input: consuming Tensor, _ program: ArraySlice<Step>) -> Tensor {
        var x = consume input
        var saved: [Tensor] = []
        for step in program {
            let t0 = Self.profiling ? Self.cpuNanoseconds() : 0
            defer {
                if Self.profiling {
                    let ms = Double(Self.cpuNanoseconds() - t0) / 1e6
                    let line = Array("  \(step.name) -> \(x.shape): \((ms * 100).rounded() / 100) ms CPU\n".utf8)
                    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                }
            }
            switch step {
            case .convolution(let c): x = c.forward(consume x) // a strided layer frees its input early
            case .affine(let a): a.apply(&x)
            case .relu: x.applyReLU()
            case .pooling(let p): x = p.forward(x)
            case .fullyConnected(let f): x = f.forward(x)
            case .save: saved.append(x)
            case .skipToPrevious: x = saved.remove(at: saved.count - 2)
            case .addSaved: x = Tensor.dlibAdd(x, saved.removeLast())
            }
        }
        return x
    }
}
