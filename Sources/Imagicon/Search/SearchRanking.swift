import FaceKit

/// One stored face of an album, as the ranking needs it.
public struct AlbumFace: Sendable, Equatable {
    /// The photo's key.
    public var key: String
    /// The face's index in the photo.
    public var index: Int
    /// The face box in displayed pixels.
    public var box: FaceRect
    /// The 128-d descriptor.
    public var descriptor: [Float]

    /// Creates a face.
    public init(key: String, index: Int, box: FaceRect, descriptor: [Float]) {
        self.key = key
        self.index = index
        self.box = box
        self.descriptor = descriptor
    }
}

/// A photo that matched: its best face over all selfies.
public struct RankedMatch: Sendable, Equatable {
    /// The photo's key.
    public var key: String
    /// Smallest descriptor distance between any of its faces and any selfie.
    public var distance: Double
    /// The box of the face with that distance.
    public var box: FaceRect
}

/// Ranks an album's faces against selfie descriptors: best distance per photo over every selfie and
/// face, kept when `<= threshold`, best first (ties by key, so the order is stable), at most `limit`.
public enum SearchRanking {
    /// Euclidean distance between two descriptors; `.infinity` when their lengths differ (a corrupt item
    /// never matches).
    public static func distance(_ a: [Float], _ b: [Float]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return .infinity }
        var sum: Float = 0
        for i in a.indices {
            let d = a[i] - b[i]
            sum += d * d
        }
        return Double(sum.squareRoot())
    }

    /// The ranked matches.
    public static func rank(faces: [AlbumFace], selfies: [[Float]], threshold: Double, limit: Int) -> [RankedMatch] {
        var best: [String: RankedMatch] = [:]
        for face in faces {
            var d = Double.infinity
            for selfie in selfies { d = min(d, distance(face.descriptor, selfie)) }
            guard d <= threshold else { continue }
            if let current = best[face.key], current.distance <= d { continue }
            best[face.key] = RankedMatch(key: face.key, distance: d, box: face.box)
        }
        let sorted = best.values.sorted { ($0.distance, $0.key) < ($1.distance, $1.key) }
        return Array(sorted.prefix(max(0, limit)))
    }
}
