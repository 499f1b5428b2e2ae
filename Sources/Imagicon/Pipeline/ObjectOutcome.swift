/// What happened to one object of an event.
public struct ObjectOutcome: Sendable, Equatable, Encodable {
    /// The result kinds.
    public enum Status: String, Sendable, Equatable, Encodable {
        /// Thumbnails, metadata and faces recorded.
        case processed
        /// Not a usable image (or a record DynamoDB refused): a `failed` record, the invocation succeeds.
        case failed
        /// The records and thumbnails of a removed object were deleted.
        case deleted
        /// Nothing to do: an older or repeated event, our own output, an object already gone.
        case skipped
    }

    /// What happened.
    public var status: Status
    /// Bucket.
    public var bucket: String
    /// Key.
    public var key: String
    /// Why it was skipped or failed.
    public var reason: String?
    /// Faces found.
    public var faceCount: Int?
    /// Faces detected past ``FaceModels/maxFacesPerPhoto`` and not kept (the smallest); nil when none.
    public var facesDropped: Int?
    /// Milliseconds per stage (download, analysis stages, upload, records), for the log line.
    public var timingsMs: [String: Double] = [:]

    /// Creates an outcome.
    public init(
        status: Status, bucket: String, key: String, reason: String? = nil, faceCount: Int? = nil, timingsMs: [String: Double] = [:]
    ) {
        self.status = status
        self.bucket = bucket
        self.key = key
        self.reason = reason
        self.faceCount = faceCount
        self.timingsMs = timingsMs
    }
}
