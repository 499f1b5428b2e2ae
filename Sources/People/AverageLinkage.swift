/// Average-linkage agglomerative clustering cut at a distance, exact and deterministic.
///
/// Two groups merge while the mean distance between their members is below the cut. Groups with
/// no pair closer than the cut can never reach a mean below it, so the rows are first split into
/// the connected components of the "closer than the cut" graph and each component is clustered on
/// its own with the nearest-neighbour chain (O(m^2) time and m^2/2 floats for a component of m).
/// Average linkage is reducible, so a group whose nearest group is at or beyond the cut is final.
enum AverageLinkage {
    /// Groups of row indices (each sorted), ordered by their first row; every row is in one group.
    static func cluster(_ matrix: DescriptorMatrix, cut: Float) -> [[Int]] {
        var parent = Array(0..<matrix.count)
        func root(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        matrix.forEachPair(closerThan: cut) { i, j, _ in
            let a = root(i)
            let b = root(j)
            if a != b { parent[max(a, b)] = min(a, b) }
        }
        var components: [Int: [Int]] = [:]
        for i in 0..<matrix.count { components[root(i), default: []].append(i) }
        var groups: [[Int]] = []
        for key in components.keys.sorted() {
            let rows = components[key]!
            if rows.count == 1 {
                groups.append(rows)
            } else {
                groups += clusterComponent(rows, matrix, cut: cut)
            }
        }
        return groups.sorted { $0[0] < $1[0] }
    }

    /// Nearest-neighbour chain on one component; `rows` ascending.
    private static func clusterComponent(_ rows: [Int], _ matrix: DescriptorMatrix, cut: Float) -> [[Int]] {
        let m = rows.count
        // Condensed upper triangle: (i, j), i < j, at i*m - i*(i+1)/2 + (j - i - 1).
        var d = [Float](repeating: 0, count: m * (m - 1) / 2)
        for i in 0..<m {
            let base = i * m - i * (i + 1) / 2 - i - 1
            for j in (i + 1)..<m { d[base + j] = matrix.distance(rows[i], rows[j]) }
        }
        @inline(__always) func index(_ a: Int, _ b: Int) -> Int {
            let i = min(a, b)
            let j = max(a, b)
            return i * m - i * (i + 1) / 2 + j - i - 1
        }
        var members: [[Int]] = rows.map { [$0] }
        var active = [Bool](repeating: true, count: m)
        var final: [[Int]] = []
        var remaining = m
        var chain: [Int] = []
        var next = 0 // lowest slot that may still be active
        while remaining > 0 {
            if chain.isEmpty {
                while !active[next] { next += 1 }
                chain.append(next)
            }
            let a = chain[chain.count - 1]
            let previous = chain.count >= 2 ? chain[chain.count - 2] : -1
            // Nearest active slot to a; ties go to the previous chain link, then the lowest slot.
            var best = -1
            var bestDistance = Float.infinity
            d.withUnsafeBufferPointer { p in
                for c in 0..<m where c != a && active[c] {
                    let x = p[index(a, c)]
                    if x < bestDistance || (x == bestDistance && c == previous) {
                        best = c
                        bestDistance = x
                    }
                }
            }
            if best < 0 || bestDistance >= cut {
                // Nothing within the cut: every link of the chain is at least this far from its
                // neighbours (chain distances decrease), so all of them are final groups.
                for slot in chain {
                    active[slot] = false
                    final.append(members[slot])
                    members[slot] = []
                    remaining -= 1
                }
                chain.removeAll()
                continue
            }
            if best == previous {
                chain.removeLast(2)
                // Merge a and b into the lower slot (Lance-Williams update for average linkage).
                let keep = min(a, best)
                let drop = max(a, best)
                let nk = Float(members[keep].count)
                let nd = Float(members[drop].count)
                for c in 0..<m where active[c] && c != keep && c != drop {
                    d[index(c, keep)] = (nk * d[index(c, keep)] + nd * d[index(c, drop)]) / (nk + nd)
                }
                members[keep] += members[drop]
                members[drop] = []
                active[drop] = false
                remaining -= 1
            } else {
                chain.append(best)
            }
        }
        return final.map { $0.sorted() }
    }
}
