/// One S3 object change, whichever producer (S3 notification, SQS, EventBridge) delivered it.
public struct ObjectEvent: Sendable, Equatable {
    /// Whether the object appeared or went away.
    public enum Kind: String, Sendable, Equatable {
        /// `ObjectCreated:*` / EventBridge `Object Created`.
        case created
        /// `ObjectRemoved:*` / EventBridge `Object Deleted`.
        case removed
    }

    /// Created or removed.
    public var kind: Kind
    /// The producer's own event name, e.g. `ObjectCreated:Put`.
    public var eventName: String
    /// Bucket name.
    public var bucket: String
    /// Object key, URL-decoded (`+` is a space, `%2B` a plus).
    public var key: String
    /// Object size in bytes, when the event says.
    public var size: Int64?
    /// ETag without quotes, when the event says.
    public var eTag: String?
    /// Version id, for versioned buckets.
    public var versionID: String?
    /// S3's ordering token for changes to the same key; compare with ``S3Sequencer``.
    public var sequencer: String?
    /// Event time as sent (ISO 8601; some producers omit the `Z`).
    public var eventTime: String?
    /// AWS region of the bucket, when the event says.
    public var region: String?

    /// Creates an event.
    public init(
        kind: Kind, eventName: String, bucket: String, key: String, size: Int64? = nil, eTag: String? = nil,
        versionID: String? = nil, sequencer: String? = nil, eventTime: String? = nil, region: String? = nil
    ) {
        self.kind = kind
        self.eventName = eventName
        self.bucket = bucket
        self.key = key
        self.size = size
        self.eTag = eTag
        self.versionID = versionID
        self.sequencer = sequencer
        self.eventTime = eventTime
        self.region = region
    }
}

/// S3 sequencer comparison: hex strings compared after left-padding the shorter with zeros,
/// meaningful only between events for the same key.
public enum S3Sequencer {
    /// Orders two sequencers; nil when either is not hexadecimal.
    public static func compare(_ a: String, _ b: String) -> Int? {
        let x = Array(a.uppercased().utf8)
        let y = Array(b.uppercased().utf8)
        func isHex(_ s: [UInt8]) -> Bool {
            !s.isEmpty && s.allSatisfy { (48...57).contains($0) || (65...70).contains($0) }
        }
        guard isHex(x), isHex(y) else { return nil }
        let width = max(x.count, y.count)
        let px = [UInt8](repeating: 48, count: width - x.count) + x
        let py = [UInt8](repeating: 48, count: width - y.count) + y
        if px == py { return 0 }
        return px.lexicographicallyPrecedes(py) ? -1 : 1
    }

    /// True when `candidate` is strictly newer than `recorded`.
    public static func isNewer(_ candidate: String, than recorded: String) -> Bool {
        (compare(candidate, recorded) ?? 0) > 0
    }
}
