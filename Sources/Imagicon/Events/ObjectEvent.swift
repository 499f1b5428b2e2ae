/// One S3 object change, whichever producer (S3 notification, SQS, EventBridge) delivered it.
public struct ObjectEvent: Sendable, Equatable {
    /// Whether the object appeared or went away.
    public enum Kind: String, Sendable, Equatable {
        /// `ObjectCreated:*` / EventBridge `Object Created`.
        case created
        /// `ObjectRemoved:*` / EventBridge `Object Deleted`.
        case removed
        /// Any other S3 event (`ObjectRestore:*`, `LifecycleTransition`, EventBridge `Object Tags
        /// Added`...): acknowledged and skipped, never an error retried into the dead-letter queue.
        case other
    }

    /// Created or removed.
    public var kind: Kind
    /// The producer's own event name, e.g. `ObjectCreated:Put`.
    public var eventName: String
    /// Bucket name.
    public var bucket: String
    /// Object key: form-decoded for S3 notifications (`+` is a space, `%2B` a plus), verbatim from EventBridge.
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

/// S3 sequencer comparison, as AWS documents it: pad the shorter sequencer on the right with zeros,
/// then compare as strings (hex digits, case ignored). Meaningful only between events for one key.
public enum S3Sequencer {
    /// Orders two sequencers (-1, 0, 1); nil when either is not hexadecimal.
    public static func compare(_ a: String, _ b: String) -> Int? {
        guard let x = version(a), let y = version(b) else { return nil }
        return x == y ? 0 : (x < y ? -1 : 1)
    }

    /// True when `candidate` is strictly newer than `recorded`.
    public static func isNewer(_ candidate: String, than recorded: String) -> Bool {
        (compare(candidate, recorded) ?? 0) > 0
    }

    /// Width the sortable form is right-padded to (S3 sequencers are 16-18 digits today).
    static let versionWidth = 40

    /// The sortable form stored as `version`: upper-case hex right-padded with zeros to 40 digits
    /// (longer ones lose trailing zeros down to 40), so plain string order, DynamoDB's included,
    /// is AWS's order and equal sequencers have equal forms. Nil when not hexadecimal.
    public static func version(_ sequencer: String) -> String? {
        var digits = Array(sequencer.uppercased().utf8)
        guard !digits.isEmpty, digits.allSatisfy({ (48...57).contains($0) || (65...70).contains($0) }) else { return nil }
        if digits.count < versionWidth {
            digits += [UInt8](repeating: 48, count: versionWidth - digits.count)
        } else {
            while digits.count > versionWidth, digits.last == 48 { digits.removeLast() }
        }
        return String(decoding: digits, as: UTF8.self)
    }
}
