/// What a dlib DNN model file holds, in input-to-output order, read generically from the
/// stream (no network type is assumed; each layer announces itself by its name tag).
///
/// dlib writes a network outermost-first: the loss layer, then for every `add_layer` its
/// version and its sub-network, and only after the input layer each layer's own details, so
/// the details come out bottom-up. Tag and skip layers (`tagN`, `skipN`) store only a version
/// and no id; they appear here as ``DlibLayerRecord/marker`` and ``DlibNetworkGraph`` gives
/// them meaning.
struct DlibNetworkFile: Sendable {
    /// The loss layer (what the output means).
    var loss: DlibLoss
    /// The input layer (how pixels become the first tensor).
    var input: DlibInputLayer
    /// Every layer above the input, first to last.
    var layers: [DlibLayerRecord]
}

/// dlib's input layers that FaceKit supports.
enum DlibInputLayer: Sendable, Equatable {
    /// `input_rgb_image_sized<NR,NC>`: a fixed-size RGB image, channel means subtracted, /256.
    case rgbImageSized(means: RGBMeans, rows: Int, cols: Int)
    /// `input_rgb_image_pyramid<pyramid_down<N>>`: a tiled image pyramid with these paddings.
    case rgbImagePyramid(means: RGBMeans, padding: Int, outerPadding: Int)
}

/// Per-channel means subtracted from pixels before the /256 scaling.
struct RGBMeans: Sendable, Equatable, Codable {
    var red: Float
    var green: Float
    var blue: Float
}

/// dlib's loss layers that FaceKit supports.
enum DlibLoss: Sendable {
    /// `loss_mmod_`: a sliding-window detector.
    case mmod(MMODOptions)
    /// `loss_metric_`: the output is an embedding.
    case metric(margin: Float, distanceThreshold: Float)
}

/// A rectangle-overlap test as dlib's `test_box_overlap`.
struct BoxOverlapTest: Sendable, Equatable, Codable {
    /// Overlap when intersection over union exceeds this.
    var iouThreshold: Double
    /// Overlap when the intersection covers more than this fraction of either box.
    var percentCoveredThreshold: Double

    /// dlib's `test_box_overlap::operator()`.
    func overlaps(_ a: FaceRect, _ b: FaceRect) -> Bool {
        let inner = Double(
            FaceRect(
                left: max(a.left, b.left), top: max(a.top, b.top),
                right: min(a.right, b.right), bottom: min(a.bottom, b.bottom)
            ).area)
        if inner == 0 { return false }
        let outer = Double(
            FaceRect(
                left: min(a.left, b.left), top: min(a.top, b.top),
                right: max(a.right, b.right), bottom: max(a.bottom, b.bottom)
            ).area)
        return inner / outer > iouThreshold || inner / Double(a.area) > percentCoveredThreshold
            || inner / Double(b.area) > percentCoveredThreshold
    }
}

/// dlib's `mmod_options` as stored with a `loss_mmod_` layer.
struct MMODOptions: Sendable, Codable {
    /// One sliding window per output channel.
    struct Window: Sendable, Equatable, Codable {
        var width: Int
        var height: Int
        var label: String
    }
    var windows: [Window]
    var lossPerFalseAlarm: Double
    var lossPerMissedTarget: Double
    var truthMatchIOUThreshold: Double
    /// Non-max suppression test between detections.
    var overlapsNMS: BoxOverlapTest
    var overlapsIgnore: BoxOverlapTest
    var assumeImagePyramid: Bool
    var useBoundingBoxRegression: Bool
    var bbrLambda: Double
}

/// One layer of a dlib network file, with its parameters already in FaceKit's kernel types.
enum DlibLayerRecord: Sendable {
    case convolution(Convolution)
    case affine(Affine)
    case relu
    case pooling(Pooling)
    case fullyConnected(FullyConnected)
    /// `add_prev_<tagN>`: adds the output of an earlier tagged layer.
    case addPrevious
    /// A `tagN` or `skipN` layer (dlib stores neither the kind nor N).
    case marker

    /// A short name for messages and tests.
    var kindName: String {
        switch self {
        case .convolution: "con"
        case .affine: "affine"
        case .relu: "relu"
        case .pooling(let p): p.kind == .max ? "max_pool" : "avg_pool"
        case .fullyConnected: "fc"
        case .addPrevious: "add_prev"
        case .marker: "tag"
        }
    }
}
