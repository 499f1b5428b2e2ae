import AWSCore
import Dispatch
import DynamoDB
import ImageKit
import LambdaRuntime
import Logging
import S3

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What happened to one object of an event.
public struct ObjectOutcome: Sendable, Equatable, Encodable {
    /// `processed`, `failed` (a bad image, recorded), `deleted` or `skipped`.
    public var status: String
    /// Bucket.
    public var bucket: String
    /// Key.
    public var key: String
    /// Why it was skipped or failed.
    public var reason: String?
    /// Faces found.
    public var faceCount: Int?
    /// Milliseconds per stage (download, analysis stages, upload, records), for the log line.
    public var timingsMs: [String: Double] = [:]
}

/// Runs the pipeline for one S3 object against S3 and DynamoDB: idempotent, ordered by sequencer,
/// records written last so a half-finished object never looks complete.
public struct ObjectProcessor: Sendable {
    /// Time kept in reserve before the deadline: a stage does not start with less than this left.
    public static let deadlineReserveMillis: Int64 = 3000

    let configuration: Configuration
    let table: String
    let s3: S3Client
    let dynamo: DynamoDBClient
    let reader: TableReader
    let analyzer: ImageAnalyzer
    /// Largest object fetched (bytes); larger ones get a `failed` record without being read.
    let maxObjectBytes: Int

    /// Creates a processor.
    public init(
        configuration: Configuration, table: String, s3: S3Client, dynamo: DynamoDBClient, analyzer: ImageAnalyzer,
        maxObjectBytes: Int = 200 << 20
    ) {
        self.configuration = configuration
        self.table = table
        self.s3 = s3
        self.dynamo = dynamo
        self.reader = TableReader(dynamo: dynamo, table: table)
        self.analyzer = analyzer
        self.maxObjectBytes = maxObjectBytes
    }

    /// Processes one object event; throws ``ProcessingError`` when the invocation must be retried.
    public func process(_ event: ObjectEvent, context: LambdaContext) async throws -> ObjectOutcome {
        var outcome = ObjectOutcome(status: "skipped", bucket: event.bucket, key: event.key)
        if StorageLayout.isNotAlbumPhoto(event.key) {
            outcome.reason = StorageLayout.isThumbnailKey(event.key) ? "thumbnail key (recursion guard)" : "session workspace key"
            return outcome
        }
        let object = ObjectIdentity(
            bucket: event.bucket, key: event.key, size: event.size ?? 0, etag: event.eTag,
            sequencer: event.sequencer)
        let existing = try await aws("read the record of \(event.key)") {
            try await dynamo.getItem(table: table, key: imageKey(object), consistentRead: true)
        }
        if let reason = Self.supersededReason(existing: existing, event: event) {
            outcome.reason = reason
            return outcome
        }
        switch event.kind {
        case .removed:
            try await remove(object, existing: existing, context: context)
            outcome.status = "deleted"
            return outcome
        case .created:
            return try await create(object, context: context)
        }
    }

    /// Nil when the event must be applied; else why it is skipped (duplicate or older than what is stored).
    static func supersededReason(existing: DynamoDBItem?, event: ObjectEvent) -> String? {
        guard let existing else { return nil }
        if let incoming = event.sequencer, let stored = existing["sequencer"]?.stringValue,
            let order = S3Sequencer.compare(incoming, stored)
        {
            if order < 0 { return "older event (sequencer \(incoming) < recorded \(stored))" }
            if order == 0 { return "repeated event (sequencer \(incoming) already recorded)" }
            return nil
        }
        if event.sequencer == nil, event.kind == .created, let etag = event.eTag,
            existing["etag"]?.stringValue == etag, existing["status"]?.stringValue == ImageRecord.Status.processed.rawValue
        {
            return "repeated event (etag \(etag) already processed)"
        }
        return nil
    }

    private func create(_ object: ObjectIdentity, context: LambdaContext) async throws -> ObjectOutcome {
        var object = object
        var outcome = ObjectOutcome(status: "processed", bucket: object.bucket, key: object.key)
        var stageStart = DispatchTime.now().uptimeNanoseconds
        func endStage(_ name: String) {
            let now = DispatchTime.now().uptimeNanoseconds
            outcome.timingsMs[name] = Double(now - stageStart) / 1e6
            stageStart = now
        }
        try checkDeadline(object, stage: "download", context: context)
        if object.size > Int64(maxObjectBytes) {
            try await write(.failed(object, error: "object is \(object.size) bytes, over the \(maxObjectBytes)-byte limit"), faces: [])
            return ObjectOutcome(status: "failed", bucket: object.bucket, key: object.key, reason: "too large")
        }
        let body: [UInt8]
        do {
            let fetched = try await s3.getObject(bucket: object.bucket, key: object.key, maxBytes: maxObjectBytes)
            body = fetched.body
            object.size = Int64(body.count)
            object.etag = object.etag ?? fetched.info.eTag.map(ETag.unquote)
        } catch let error where error.code == .notFound {
            outcome.status = "skipped"
            outcome.reason = "object no longer exists"
            return outcome
        } catch let error where error.code == .responseTooLarge {
            try await write(.failed(object, error: "object is over the \(maxObjectBytes)-byte limit"), faces: [])
            return ObjectOutcome(status: "failed", bucket: object.bucket, key: object.key, reason: "too large")
        } catch {
            throw ProcessingError(.transient, "GetObject \(object.bucket)/\(object.key): \(error)")
        }

        endStage("download")
        try checkDeadline(object, stage: "analysis", context: context)
        let analysis: ImageAnalysis
        do {
            analysis = try analyzer.analyze(body)
        } catch {
            // A bad image is a result, not a retry: record it and succeed.
            let message = String(describing: error)
            try await write(.failed(object, error: message, format: ImageFormat.sniff(body)), faces: [])
            return ObjectOutcome(status: "failed", bucket: object.bucket, key: object.key, reason: message)
        }

        for (stage, millis) in analysis.timings { outcome.timingsMs[stage] = millis }
        endStage("analysis")
        try checkDeadline(object, stage: "upload", context: context)
        let thumbnailBucket = configuration.thumbnailBucket ?? object.bucket
        try await withThrowingTaskGroup(of: Void.self) { group in
            for thumbnail in analysis.thumbnails {
                let key = StorageLayout.thumbnailKey(for: object.key, size: thumbnail.size)
                group.addTask {
                    try await aws("upload \(key)") {
                        _ = try await s3.putObject(
                            bucket: thumbnailBucket, key: key, body: thumbnail.bytes,
                            contentType: thumbnail.contentType, cacheControl: "public, max-age=31536000, immutable")
                    }
                }
            }
            try await group.waitForAll()
        }

        endStage("upload")
        try checkDeadline(object, stage: "records", context: context)
        let faces = FaceRecord.records(object, analysis: analysis)
        try await write(.processed(object, analysis: analysis), faces: faces)
        endStage("records")
        outcome.faceCount = faces.count
        return outcome
    }

    /// Face items first, stale ones removed, the image item last and conditionally (newer sequencer wins).
    private func write(_ record: ImageRecord, faces: [FaceRecord]) async throws {
        let object = ObjectIdentity(
            bucket: record.bucket, key: record.key, size: record.size, etag: record.etag, sequencer: record.sequencer)
        if !faces.isEmpty {
            try await aws("write \(faces.count) face items of \(record.key)") {
                try await dynamo.batchWrite(table: table, requests: faces.map { .put($0.item) })
            }
        }
        try await deleteFaces(of: object, from: faces.count)
        var attributes = DynamoDBExpressionAttributes()
        var condition: String?
        if let version = record.version {
            // Only replace an older version. Items written before `version` existed have none: the
            // read before processing compared their `sequencer` already.
            condition = "attribute_not_exists(PK) OR attribute_not_exists(#version) OR #version < :version"
            attributes = DynamoDBExpressionAttributes(names: ["#version": "version"], values: [":version": .s(version)])
        }
        do {
            _ = try await dynamo.putItem(table: table, item: record.item, condition: condition, attributes: attributes)
        } catch let error where error.code == .conditionalCheckFailed {
            // A newer event for this key won the race; its record stands.
        } catch {
            throw ProcessingError(.transient, "PutItem \(record.key): \(error)")
        }
    }

    /// Deletes the face items of `object` with index >= `first`.
    private func deleteFaces(of object: ObjectIdentity, from first: Int) async throws {
        let items = try await aws("list the face items of \(object.key)") {
            try await reader.faceItems(key: object.key, consistent: true)
        }
        let deletes: [DynamoDBWriteRequest] = items.compactMap { item in
            guard (item["index"]?.intValue ?? 0) >= first, let pk = item["PK"], let sk = item["SK"] else { return nil }
            return .delete(key: ["PK": pk, "SK": sk])
        }
        guard !deletes.isEmpty else { return }
        try await aws("delete \(deletes.count) stale face items of \(object.key)") {
            try await dynamo.batchWrite(table: table, requests: deletes)
        }
    }

    private func remove(_ object: ObjectIdentity, existing: DynamoDBItem?, context: LambdaContext) async throws {
        try checkDeadline(object, stage: "delete", context: context)
        let thumbnailBucket = configuration.thumbnailBucket ?? object.bucket
        var keys = Set(configuration.thumbnailSizes.map { StorageLayout.thumbnailKey(for: object.key, size: $0) })
        for entry in existing?["thumbnails"]?.listValue ?? [] {
            if let key = entry.mapValue?["key"]?.stringValue { keys.insert(key) }
        }
        _ = try await aws("delete the thumbnails of \(object.key)") {
            try await s3.deleteObjects(bucket: thumbnailBucket, keys: keys.sorted())
        }
        try await deleteFaces(of: object, from: 0)
        try await aws("delete the record of \(object.key)") {
            _ = try await dynamo.deleteItem(table: table, key: imageKey(object))
        }
    }

    private func imageKey(_ object: ObjectIdentity) -> DynamoDBItem {
        ["PK": .s(StorageLayout.partitionKey(album: object.album)), "SK": .s(StorageLayout.imageSortKey(key: object.key))]
    }

    private func checkDeadline(_ object: ObjectIdentity, stage: String, context: LambdaContext) throws {
        let left = context.remainingMillis
        guard left >= Self.deadlineReserveMillis else {
            throw ProcessingError(
                .deadline, "\(object.key): only \(left) ms left before the deadline at the \(stage) stage; stopping for a retry")
        }
    }

    /// Runs an AWS call, mapping its failure to a retryable ``ProcessingError``.
    private func aws<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw ProcessingError(.transient, "could not \(what): \(error)")
        }
    }
}
