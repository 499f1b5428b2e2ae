/// Descriptors packed row after row, with the Euclidean distance between rows.
struct DescriptorMatrix: Sendable {
    let count: Int
    let dimension: Int
    private(set) var values: [Float]

    /// Packs `faces` in the given order; all descriptors must have `dimension` numbers.
    init(_ faces: [PeopleFace], dimension: Int) throws {
        count = faces.count
        self.dimension = dimension
        values = []
        values.reserveCapacity(faces.count * dimension)
        for face in faces {
            guard face.descriptor.count == dimension, dimension > 0 else {
                throw PeopleError.descriptorLength(faceID: face.id, expected: dimension, got: face.descriptor.count)
            }
            values.append(contentsOf: face.descriptor)
        }
    }

    /// Distance between row `i` and row `j`.
    func distance(_ i: Int, _ j: Int) -> Float {
        values.withUnsafeBufferPointer { Self.distance($0, i * dimension, $0, j * dimension, dimension) }
    }

    /// Distance between row `i` of `a` and row `j` of `b` (same dimension).
    static func distance(_ a: DescriptorMatrix, _ i: Int, _ b: DescriptorMatrix, _ j: Int) -> Float {
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in distance(pa, i * a.dimension, pb, j * b.dimension, a.dimension) }
        }
    }

    /// Calls `body(i, j, distance)` for every pair `i < j` closer than `limit`.
    func forEachPair(closerThan limit: Float, _ body: (Int, Int, Float) -> Void) {
        let limit2 = limit * limit
        values.withUnsafeBufferPointer { p in
            for i in 0..<count {
                for j in (i + 1)..<max(count, i + 1) {
                    let d2 = Self.squaredDistance(p, i * dimension, p, j * dimension, dimension)
                    if d2 < limit2 { body(i, j, d2.squareRoot()) }
                }
            }
        }
    }

    @inline(__always)
    static func distance(_ a: UnsafeBufferPointer<Float>, _ ai: Int, _ b: UnsafeBufferPointer<Float>, _ bi: Int, _ n: Int) -> Float {
        squaredDistance(a, ai, b, bi, n).squareRoot()
    }

    /// Four running sums so the loop vectorises.
    @inline(__always)
    static func squaredDistance(_ a: UnsafeBufferPointer<Float>, _ ai: Int, _ b: UnsafeBufferPointer<Float>, _ bi: Int, _ n: Int) -> Float {
        var s0: Float = 0
        var s1: Float = 0
        var s2: Float = 0
        var s3: Float = 0
        var k = 0
        while k + 4 <= n {
            let d0 = a[ai + k] - b[bi + k]
            let d1 = a[ai + k + 1] - b[bi + k + 1]
            let d2 = a[ai + k + 2] - b[bi + k + 2]
            let d3 = a[ai + k + 3] - b[bi + k + 3]
            s0 += d0 * d0
            s1 += d1 * d1
            s2 += d2 * d2
            s3 += d3 * d3
            k += 4
        }
        while k < n {
            let d = a[ai + k] - b[bi + k]
            s0 += d * d
            k += 1
        }
        return (s0 + s1) + (s2 + s3)
    }
}
