/// One face to group into people: a stable id, its descriptor and its size.
///
/// The id is whatever names the face for its owner (the domain uses `<key>#<index>`); it orders
/// the faces, so the grouping does not depend on the order faces are given in.
public struct PeopleFace: Sendable, Codable, Equatable {
    /// Stable, unique id of the face.
    public var id: String
    /// The face descriptor (dlib's 128 numbers); every face of one grouping has the same length.
    public var descriptor: [Float]
    /// The shorter side of the face's box in pixels, when known: small faces give noisier
    /// descriptors, so they must match more closely to join a person (``PeopleOptions/smallFaceSize``).
    public var size: Int?

    public init(id: String, descriptor: [Float], size: Int? = nil) {
        self.id = id
        self.descriptor = descriptor
        self.size = size
    }
}

/// How faces are grouped.
public struct PeopleOptions: Sendable, Codable, Equatable {
    /// Average-linkage cut: two groups are one person while the mean descriptor distance between
    /// their faces is below this.
    public var threshold: Float
    /// Groups with fewer faces than this are not people; their faces stay unassigned.
    public var minFaces: Int
    /// Faces whose ``PeopleFace/size`` is below this many pixels use ``smallFaceThreshold``.
    public var smallFaceSize: Int
    /// The stricter cut for small faces: their mean distance to the rest of their group.
    public var smallFaceThreshold: Float

    /// Defaults measured on the shared face set (`imagicon-bench people`).
    public init(threshold: Float = 0.575, minFaces: Int = 2, smallFaceSize: Int = 60, smallFaceThreshold: Float = 0.5) {
        self.threshold = threshold
        self.minFaces = minFaces
        self.smallFaceSize = smallFaceSize
        self.smallFaceThreshold = smallFaceThreshold
    }

    /// The cut a face must meet to join a group.
    func cut(for face: PeopleFace) -> Float {
        if let size = face.size, size < smallFaceSize { return min(threshold, smallFaceThreshold) }
        return threshold
    }
}

/// A request the grouping refuses.
public enum PeopleError: Error, Equatable, CustomStringConvertible {
    /// Descriptors of different lengths (or empty ones) cannot be compared.
    case descriptorLength(faceID: String, expected: Int, got: Int)
    /// No person has this id.
    case unknownPerson(Int)
    /// A person cannot be merged into itself.
    case mergeIntoSelf(Int)

    public var description: String {
        switch self {
        case .descriptorLength(let id, let expected, let got):
            "face \(id) has a descriptor of \(got) numbers, expected \(expected)"
        case .unknownPerson(let id): "no person \(id)"
        case .mergeIntoSelf(let id): "cannot merge person \(id) into itself"
        }
    }
}
