/// What the `people` function is invoked with: the albums to bring up to date.
///
/// - A DynamoDB Streams batch (the trigger in template.yaml: face items written by `process` or
///   removed by a delete, filtered and batched): every album whose `PK` a record names.
/// - A direct invocation `{"album": "<album>", "recluster": true}` (an operator's re-cluster) or
///   `{"albums": [...]}` (`imagicon serve` after uploads settle).
public struct PeopleEvent: Sendable, Equatable {
    /// The albums, sorted, each once.
    public var albums: [String]
    /// Regroup everything instead of adding to the current groups.
    public var recluster: Bool
    /// True for a batch (a DynamoDB Streams batch, or `{"albums"}` from `imagicon serve`): an album
    /// with nothing to group is skipped (its photos may have been deleted or failed since). False for
    /// `{"album"}`, which names one album on purpose: there it is an error (``PeopleAlbumNotFound``).
    public var skipsMissingAlbums = false

    /// Decodes an event; throws ``EventDecodingError`` for any other shape.
    public static func decode(_ bytes: [UInt8]) throws -> PeopleEvent {
        let root = try JSONPath(try JSONValue.parse(bytes)).object()
        var albums: Set<String> = []
        if let records = root.child("Records") {
            for record in try records.array() {
                let record = try record.object()
                guard try record.optionalString("eventSource") == "aws:dynamodb" else {
                    throw EventDecodingError(.unknownShape, "\(record.path) is not a DynamoDB Streams record")
                }
                let pk = try record.required("dynamodb").object().required("Keys").object().required("PK").object()
                    .requiredString("S")
                let prefix = StorageLayout.partitionKey(album: "")
                guard pk.hasPrefix(prefix) else { continue }
                albums.insert(String(pk.dropFirst(prefix.count)))
            }
            return PeopleEvent(albums: albums.sorted(), recluster: false, skipsMissingAlbums: true)
        }
        if let album = try root.optionalString("album") { albums.insert(album) }
        if let list = root.child("albums") { for item in try list.array() { albums.insert(try item.string()) } }
        guard !albums.isEmpty else {
            throw EventDecodingError(.unknownShape, "the event is neither a DynamoDB Streams batch nor {\"album\"} / {\"albums\"}")
        }
        let recluster: Bool
        switch root.child("recluster")?.value {
        case nil, .bool(false)?: recluster = false
        case .bool(true)?: recluster = true
        default: throw EventDecodingError(.unknownShape, "$.recluster must be true or false")
        }
        return PeopleEvent(albums: albums.sorted(), recluster: recluster, skipsMissingAlbums: root.child("albums") != nil)
    }
}
