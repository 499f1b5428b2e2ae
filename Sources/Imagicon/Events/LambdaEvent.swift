import AWSCore

/// Everything the `process` function can be invoked with, decoded.
public enum LambdaEvent: Sendable, Equatable {
    /// An S3 notification (direct, or an EventBridge event): the objects it names.
    case objects([ObjectEvent])
    /// An SQS batch: per message, its id and either its objects or why it could not be read.
    case sqs([SQSMessage])
    /// S3's `s3:TestEvent`, sent when a notification is configured: acknowledge and ignore.
    case s3TestEvent

    /// One SQS message of a batch.
    public struct SQSMessage: Sendable, Equatable {
        /// The SQS message id, reported back in `batchItemFailures`.
        public var messageID: String
        /// The decoded body, or the reason it could not be decoded.
        public var content: Result<LambdaEvent, EventDecodingError>
    }

    /// Decodes an event from its raw bytes.
    public static func decode(_ bytes: [UInt8]) throws -> LambdaEvent {
        try decode(JSONValue.parse(bytes), nested: false)
    }

    static func decode(_ json: JSONValue, nested: Bool) throws -> LambdaEvent {
        let root = try JSONPath(json).object()
        if root.child("Event")?.value == .string("s3:TestEvent") {
            return .s3TestEvent
        }
        // A Lambda destination / dead-letter record: replaying it is processing its original event.
        if let payload = root.child("requestPayload"), root.child("requestContext") != nil {
            return try decode(payload.value, nested: nested)
        }
        if let records = root.child("Records") {
            let items = try records.array()
            if !nested, let first = items.first, try first.optionalString("eventSource") == "aws:sqs" {
                return .sqs(try items.map(decodeSQSMessage))
            }
            return .objects(try items.map(decodeS3Record))
        }
        if root.child("detail-type") != nil || root.child("source")?.value == .string("aws.s3") {
            return .objects([try decodeEventBridge(root)])
        }
        throw EventDecodingError(.unknownShape, "the event has no Records array and is not an EventBridge S3 event")
    }

    static func decodeSQSMessage(_ record: JSONPath) throws -> SQSMessage {
        let record = try record.object()
        let id = try record.requiredString("messageId")
        let body = try record.requiredString("body")
        let content: Result<LambdaEvent, EventDecodingError>
        do {
            let inner = try JSONValue.parse(Array(body.utf8))
            content = .success(try decode(inner, nested: true))
        } catch let error as EventDecodingError {
            content = .failure(EventDecodingError(error.code, "SQS message \(id): \(error.message)"))
        }
        return SQSMessage(messageID: id, content: content)
    }

    static func decodeS3Record(_ record: JSONPath) throws -> ObjectEvent {
        let record = try record.object()
        let name = try record.requiredString("eventName")
        let s3 = try record.required("s3").object()
        let bucket = try s3.required("bucket").object().requiredString("name")
        let object = try s3.required("object").object()
        return ObjectEvent(
            kind: try kind(ofEventName: name, at: record.path),
            eventName: name,
            bucket: bucket,
            key: try S3KeyDecoding.decode(object.requiredString("key")),
            size: try object.optionalInt64("size"),
            eTag: try object.optionalString("eTag").map(ETag.unquote),
            versionID: try object.optionalString("versionId"),
            sequencer: try object.optionalString("sequencer"),
            eventTime: try record.optionalString("eventTime"),
            region: try record.optionalString("awsRegion"))
    }

    static func decodeEventBridge(_ root: JSONPath) throws -> ObjectEvent {
        let source = try root.optionalString("source")
        guard source == nil || source == "aws.s3" else {
            throw EventDecodingError(.unknownShape, "EventBridge events from '\(source!)' are not handled, only aws.s3")
        }
        let type = try root.requiredString("detail-type")
        let kind: ObjectEvent.Kind
        switch type {
        case "Object Created": kind = .created
        case "Object Deleted": kind = .removed
        default: kind = .other
        }
        let detail = try root.required("detail").object()
        let object = try detail.required("object").object()
        return ObjectEvent(
            kind: kind,
            eventName: try detail.optionalString("reason").map { "\(type):\($0)" } ?? type,
            bucket: try detail.required("bucket").object().requiredString("name"),
            // EventBridge keys are not URL-encoded (unlike S3 notifications): taken verbatim.
            key: try verbatimKey(object.requiredString("key")),
            size: try object.optionalInt64("size"),
            eTag: try object.optionalString("etag").map(ETag.unquote),
            versionID: try object.optionalString("version-id"),
            sequencer: try object.optionalString("sequencer"),
            eventTime: try root.optionalString("time"),
            region: try root.optionalString("region"))
    }

    static func kind(ofEventName name: String, at path: String) throws -> ObjectEvent.Kind {
        // Accept both `ObjectCreated:Put` and the `s3:ObjectCreated:Put` spelling some producers use.
        let bare = name.hasPrefix("s3:") ? String(name.dropFirst(3)) : name
        if bare.hasPrefix("ObjectCreated:") { return .created }
        if bare.hasPrefix("ObjectRemoved:") { return .removed }
        guard !bare.isEmpty else { throw EventDecodingError(.invalidField, "\(path).eventName is empty") }
        return .other
    }

    static func verbatimKey(_ key: String) throws -> String {
        guard !key.isEmpty else { throw EventDecodingError(.invalidKey, "object key is empty") }
        return key
    }
}
