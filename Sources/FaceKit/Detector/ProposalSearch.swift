/// A cheaper way for ``FaceDetector`` to cover its image pyramid, in two passes. Pass A runs the
/// network on the coarse levels only (from ``firstWholeLevel`` on: the pyramid of a copy at
/// (5/6)^k scale; with the crops' margins about 40% of the whole run's pixels on 4 MP). Pass B runs it on
/// the fine levels only around the pass-A windows scoring above ``proposalThreshold``, on crops wide
/// enough (the network's receptive field, 189 px) that every score it keeps is the whole run's (to within
/// 5e-5: Winograd layers round by tile position). So every candidate window is one of the whole run's,
/// with its score; non-max suppression can still keep a
/// coarse window whose fine-level neighbour was not evaluated.
///
/// Faces at the fine levels (80-160 px on the detection copy) that no proposal covers are missed, and
/// MMOD is scale-selective: such faces score at or below the background on pass A's levels (on the
/// bench's group photo, -1.5 to -2.9 against a background median of -2.0), so a threshold low enough
/// to propose them proposes everywhere. Hence an option (`IMAGICON_FACE_SEARCH=two-pass`), not the default.
///
/// ``learnedThreshold`` adds the learned proposer (``ProposalHead``, `IMAGICON_FACE_SEARCH=learned`): a
/// linear filter on the features pass A already computed, which finds those faces (all but one barely
/// detected partial face of 165 on held-out photos) but proposes enough that pass B's crops, each with the
/// receptive field's margins, still cost about half the fine levels: an option too, not the default.
public struct ProposalSearch: Sendable, Equatable, Codable {
    /// The first pyramid level run whole (level k is the image scaled by (5/6)^k; 4 is ≈ 0.48).
    public var firstWholeLevel: Int
    /// Pass-A window scores above this propose fine-level regions (the detection threshold is 0).
    public var proposalThreshold: Double
    /// Half the side of a proposed region, in pass-A cells (one cell is 8 px of the level it is on).
    public var radius: Double
    /// When set, cells of the first whole level whose ``ProposalHead`` logit is above this propose too
    /// (the learned proposer for the faces pass A's windows cannot see); nil: pass-A windows only.
    public var learnedThreshold: Double?

    /// Creates a search.
    public init(firstWholeLevel: Int = 4, proposalThreshold: Double = -1, radius: Double = 2, learnedThreshold: Double? = nil) {
        self.firstWholeLevel = firstWholeLevel
        self.proposalThreshold = proposalThreshold
        self.radius = radius
        self.learnedThreshold = learnedThreshold
    }

    /// The search with the learned proposer at its trained threshold (`IMAGICON_FACE_SEARCH=learned`).
    public static var learned: ProposalSearch { ProposalSearch(learnedThreshold: ProposalHead.trained.threshold) }
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
    /// Pass-A windows above the proposal threshold, and cells above the learned one.
    public var proposals = 0
    /// Network runs (1 for a whole run).
    public var crops = 0

    /// Creates an empty record.
    public init() {}

    /// Evaluated pixels over the whole run's.
    public var evaluatedFraction: Double { pyramidPixels == 0 ? 0 : Double(evaluatedPixels) / Double(pyramidPixels) }
}
