import DynamoDB

/// Whether an event still applies, given what is stored for its key: S3 delivers events at least
/// once and out of order, and only the sequencer (compared with ``S3Sequencer``) orders them.
enum EventOrdering {
    /// What to do with an event.
    enum Decision: Equatable {
        /// Apply it.
        case apply
        /// The same event was applied already (a retry after a kill: finish its clean-up only).
        case repeated(String)
        /// A newer event for the key was applied: skip.
        case superseded(String)
    }

    /// Decides from the stored image item (its `sequencer`, whatever its age) and tombstone version.
    static func decide(event: ObjectEvent, image: DynamoDBItem?, tombstoneVersion: String?) -> Decision {
        if let incoming = event.sequencer, let version = S3Sequencer.version(incoming) {
            if let tombstoneVersion {
                if version < tombstoneVersion { return .superseded("older than the delete recorded at \(tombstoneVersion)") }
                if version == tombstoneVersion, event.kind == .removed { return .repeated("delete \(incoming) already recorded") }
            }
            if let stored = image?["sequencer"]?.stringValue, let order = S3Sequencer.compare(incoming, stored) {
                if order < 0 { return .superseded("older event (sequencer \(incoming) < recorded \(stored))") }
                if order == 0 { return .repeated("repeated event (sequencer \(incoming) already recorded)") }
            }
            return .apply
        }
        if event.kind == .created, let etag = event.eTag, let image, image["etag"]?.stringValue == etag,
            image["status"]?.stringValue == ImageRecord.Status.processed.rawValue
        {
            return .repeated("repeated event (etag \(etag) already processed)")
        }
        return .apply
    }
}
