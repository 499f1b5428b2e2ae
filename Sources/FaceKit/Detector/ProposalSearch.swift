/// A cheaper way for ``FaceDetector`` to cover its image pyramid, in two passes. Pass A runs the
/// network on the coarse levels only (from ``firstWholeLevel`` on: the pyramid of a copy at
/// (5/6)^k scale, about a quarter of the work). Pass B runs it on the fine levels only around the pass-A
/// windows scoring above ``proposalThreshold``, on crops wide enough (the network's receptive field) that
/// every score it keeps equals the whole-pyramid run's. So the faces found are the whole run's faces at
/// the coarse levels exactly, plus those at the fine levels that a proposal covers: never a face the
/// whole run does not find, but possibly fewer.
public struct ProposalSearch: Sendable, Equatable, Codable {
    /// The first pyramid level run whole (level k is the image scaled by (5/6)^k; 4 is ≈ 0.48).
    public var firstWholeLevel: Int
    /// Pass-A window scores above this propose fine-level regions (the detection threshold is 0).
    public var proposalThreshold: Double
    /// Half the side of a proposed region, in pass-A cells (one cell is 8 px of the level it is on).
    public var radius: Double

    /// Creates a search.
    public init(firstWholeLevel: Int = 4, proposalThreshold: Double = -1, radius: Double = 2) {
        self.firstWholeLevel = firstWholeLevel
        self.proposalThreshold = proposalThreshold
        self.radius = radius
    }
}

/// How much of the image pyramid one ``FaceDetector`` call ran the network on.
public struct DetectionCoverage: Sendable, Equatable, Codable {
    /// Pixels of the tiled pyramid (what the whole run evaluates).
    public var pyramidPixels = 0
    /// Input pixels the network ran on (crops may overlap, so this can exceed the pyramid).
    public var evaluatedPixels = 0
    /// Pixels of the fine levels (those pass A leaves to pass B); 0 for a whole run.
    public var fineLevelPixels = 0
    /// Input pixels of pass B's crops.
    public var passBPixels = 0
    /// Pass-A windows above the proposal threshold.
    public var proposals = 0
    /// Network runs (1 for a whole run).
    public var crops = 0

    /// Creates an empty record.
    public init() {}

    /// Evaluated pixels over the whole run's.
    public var evaluatedFraction: Double { pyramidPixels == 0 ? 0 : Double(evaluatedPixels) / Double(pyramidPixels) }
}
