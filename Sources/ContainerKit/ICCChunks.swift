/// A JPEG ICC profile's APP2 chunks (sequence number, count, data), reassembled in sequence order.
struct ICCChunks {
    private var chunks: [(sequence: Int, count: Int, data: ArraySlice<UInt8>)] = []
    private var bytes = 0

    /// Adds one chunk: the APP2 payload after `ICC_PROFILE\0`. Chunks past 255 or past the
    /// profile size cap are dropped (the chain then stays incomplete).
    mutating func add(_ payload: ArraySlice<UInt8>) {
        guard payload.count > 2, chunks.count < 255, bytes + payload.count <= ContainerScan.maxICCBytes else { return }
        let s = payload.startIndex
        chunks.append((Int(payload[s]), Int(payload[s + 1]), payload.dropFirst(2)))
        bytes += payload.count - 2
    }

    /// The profile, in sequence order whatever the file order; nil when the chain is incomplete
    /// (a number missing or repeated, counts that disagree) or too short to be a profile.
    var profile: [UInt8]? {
        guard let count = chunks.first?.count, count > 0, chunks.count == count,
            chunks.allSatisfy({ $0.count == count && (1...count).contains($0.sequence) }),
            Set(chunks.map(\.sequence)).count == count
        else { return nil }
        let bytes = chunks.sorted { $0.sequence < $1.sequence }.flatMap { $0.data }
        return bytes.count >= 132 ? bytes : nil
    }
}
