/// One person: a group of faces with a stable id, and what the owner said about it.
public struct Person: Sendable, Codable, Equatable {
    /// Stable id: never reused, kept across ``PeopleIndex/add(_:)`` and ``PeopleIndex/recluster()``.
    public var id: Int
    /// The face ids, sorted.
    public var faces: [String]
    /// The name the owner gave, if any.
    public var name: String?
    /// Hidden from the people page by the owner.
    public var hidden: Bool
    /// Ids of people the owner merged into this one (so links to them still find it).
    public var mergedIDs: [Int]

    public init(id: Int, faces: [String], name: String? = nil, hidden: Bool = false, mergedIDs: [Int] = []) {
        self.id = id
        self.faces = faces.sorted()
        self.name = name
        self.hidden = hidden
        self.mergedIDs = mergedIDs
    }

    /// Named, hidden or merged by the owner: a re-cluster keeps its faces together and never merges it
    /// with another anchor; it only gains faces that match it. (A hidden person must stay one group: a
    /// re-cluster that split it would show the split-off faces to everyone.)
    public var isAnchor: Bool { name != nil || hidden || !mergedIDs.isEmpty }

    /// How many groups the owner merged into this person (1 when none).
    var parts: Int { 1 + mergedIDs.count }
}
