/// A port of dlib's `chinese_whispers_clustering` (tools/python/src/face_recognition.cpp and
/// dlib/clustering/chinese_whispers.h, dlib 20), the reference the people benchmark compares
/// against: dlib's Python binding is not built in CI. Same edges (every pair, self-pairs included,
/// closer than the threshold, weight 1), same ordering, same random node picks (dlib::rand:
/// mt19937 seeded 5489, primed with 10000 draws, 64-bit numbers from two 32-bit ones), same
/// 100 x nodes iterations, same tie rule (lowest label) and same relabelling.
enum ChineseWhispers {
    /// One label per descriptor, numbered in order of first appearance from 0.
    static func cluster(_ descriptors: [[Float]], threshold: Float) -> [Int] {
        let n = descriptors.count
        // face_recognition.cpp: sample_pair(i, j) for j >= i with length(a - b) < threshold;
        // convert_unordered_to_ordered then sort by (index1, index2).
        var edges: [(Int, Int)] = []
        for i in 0..<n {
            for j in i..<n {
                let d = zip(descriptors[i], descriptors[j]).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
                if d < Double(threshold) {
                    edges.append((i, j))
                    if i != j { edges.append((j, i)) }
                }
            }
        }
        edges.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        guard !edges.isEmpty else { return [] }
        // find_neighbor_ranges.
        let nodes = (edges.map(\.0).max() ?? 0) + 1
        var neighbors = [(Int, Int)](repeating: (0, 0), count: nodes)
        var current = 0
        var start = 0
        for (i, e) in edges.enumerated() where e.0 != current {
            neighbors[current] = (start, i)
            start = i
            current = e.0
        }
        neighbors[current] = (start, edges.count)

        var labels = Array(0..<nodes)
        var rnd = MersenneTwister()
        for _ in 0..<(nodes * 100) {
            let a = UInt64(rnd.next())
            let b = UInt64(rnd.next())
            let idx = Int(((a << 32) | b) % UInt64(nodes))
            var counts: [Int: Double] = [:]
            for k in neighbors[idx].0..<neighbors[idx].1 { counts[labels[edges[k].1], default: 0] += 1 }
            // std::map iterates labels in ascending order; the first strictly greater score wins.
            var best = labels[idx]
            var bestScore = -Double.infinity
            for label in counts.keys.sorted() where counts[label]! > bestScore {
                bestScore = counts[label]!
                best = label
            }
            labels[idx] = best
        }
        var remap: [Int: Int] = [:]
        for l in labels where remap[l] == nil { remap[l] = remap.count }
        return labels.map { remap[$0]! }
    }

    /// mt19937 (boost's and dlib's `mersenne_twister`), default seed 5489, primed as dlib::rand does.
    struct MersenneTwister {
        private var state = [UInt32](repeating: 0, count: 624)
        private var index = 624

        init() {
            state[0] = 5489
            for i in 1..<624 { state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i) }
            for _ in 0..<10000 { _ = next() }
        }

        mutating func next() -> UInt32 {
            if index >= 624 {
                for i in 0..<624 {
                    let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7fff_ffff)
                    state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908_b0df : 0)
                }
                index = 0
            }
            var y = state[index]
            index += 1
            y ^= y >> 11
            y ^= (y << 7) & 0x9d2c_5680
            y ^= (y << 15) & 0xefc6_0000
            y ^= y >> 18
            return y
        }
    }
}
