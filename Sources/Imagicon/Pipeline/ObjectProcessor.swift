import AWSCore
import Dispatch
import DynamoDB
import ImageKit
import LambdaRuntime
import Logging
import S3

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs the pipeline for one S3 object against S3 and DynamoDB so that any order, repetition or
/// interruption of its events converges to what one clean run of the newest event gives:
///
/// - everything an event writes carries its version (the sequencer): thumbnails under a key of
///   their own, face items and the image item conditionally, never over a newer version;
/// - the image item is written last, so a half-finished object never looks complete;
/// - a writer that loses (a newer version or a newer delete got there first) removes what it wrote;
/// - deletes leave a tombstone that older creates respect;
/// - after each applied or repeated event, the key's stale versions are swept (``sweep(_:_:previous:)``).
public struct ObjectProcessor: Sendable {
    /// Time kept in reserve before the deadline: a stage does not start with less than this left.
    public static let deadlineReserveMillis: Int64 = 3000

    let configuration: Configuration
    let s3: S3Client
    let reader: TableReader
    let writer: RecordWriter
    let analyzer: ImageAnalyzer
    /// Largest object fetched (bytes); larger ones get a `failed` record without being read.
    let maxObjectBytes: Int

    /// Creates a processor.
    public init(
        configuration: Configuration, table: String, s3: S3Client, dynamo: DynamoDBClient, analyzer: ImageAnalyzer,
        maxObjectBytes: Int = 200 << 20
    ) {
        self.configuration = configuration
        self.s3 = s3
        self.reader = TableReader(dynamo: dynamo, table: table)
        self.writer = RecordWriter(dynamo: dynamo, table: table)
        self.analyzer = analyzer
        self.maxObjectBytes = maxObjectBytes
    }

    var thumbnailBucket: String? { configuration.thumbnailBucket }

    /// Processes one object event; throws ``ProcessingError`` when the invocation must be retried.
    public func process(_ event: ObjectEvent, context: LambdaContext) async throws -> ObjectOutcome {
        var outcome = ObjectOutcome(status: .skipped, bucket: event.bucket, key: event.key)
        if StorageLayout.isNotAlbumPhoto(event.key) {
            outcome.reason = StorageLayout.isThumbnailKey(event.key) ? "thumbnail key (recursion guard)" : "session workspace key"
            return outcome
        }
        let object = ObjectIdentity(
            bucket: event.bucket, key: event.key, size: event.size ?? 0, etag: event.eTag, sequencer: event.sequencer)
        let state = try await aws("read the record of \(event.key)") { try await writer.state(of: event.key) }
        switch EventOrdering.decide(event: event, image: state.image, tombstoneVersion: state.tombstoneVersion) {
        case .superseded(let reason):
            outcome.reason = reason
            return outcome
        case .repeated(let reason) where event.kind == .created:
            // A retry after a kill may find its records written but not yet swept: finish that.
            try checkDeadline(object, stage: "sweep", context: context)
            try await sweep(object, .created(object.version), previous: nil)
            outcome.reason = reason
            return outcome
        case .repeated, .apply:
            // A repeated delete is applied again: every step of it is idempotent, and a run killed
            // after its tombstone has not removed the image item yet.
            break
        }
        switch event.kind {
        case .removed:
            try checkDeadline(object, stage: "delete", context: context)
            outcome.reason = try await remove(object, previous: state.image.flatMap(ImageRecord.init(item:)))
            outcome.status = outcome.reason == nil ? .deleted : .skipped
            return outcome
        case .created:
            return try await create(object, previous: state.image.flatMap(ImageRecord.init(item:)), context: context)
        case .other:
            outcome.reason = "\(event.eventName) events are not acted on"
            return outcome
        }
    }

    private func create(_ object: ObjectIdentity, previous: ImageRecord?, context: LambdaContext) async throws -> ObjectOutcome {
        var object = object
        var outcome = ObjectOutcome(status: .processed, bucket: object.bucket, key: object.key)
        var stageStart = DispatchTime.now().uptimeNanoseconds
        func endStage(_ name: String) {
            let now = DispatchTime.now().uptimeNanoseconds
            outcome.timingsMs[name] = Double(now - stageStart) / 1e6
            stageStart = now
        }
        try checkDeadline(object, stage: "download", context: context)
        var output: ObjectOutput
        if object.size > Int64(maxObjectBytes) {
            output = .failed(object, error: "object is \(object.size) bytes, over the \(maxObjectBytes)-byte limit")
        } else {
            do {
                let fetched = try await s3.getObject(bucket: object.bucket, key: object.key, maxBytes: maxObjectBytes)
                object.size = Int64(fetched.body.count)
                object.etag = object.etag ?? fetched.info.eTag.map(ETag.unquote)
                endStage("download")
                try checkDeadline(object, stage: "analysis", context: context)
                output = ObjectOutput.build(object, body: fetched.body, analyzer: analyzer)
                for (stage, millis) in output.timings { outcome.timingsMs[stage] = millis }
                endStage("analysis")
            } catch let error as AWSError where error.code == .notFound {
                outcome.status = .skipped
                outcome.reason = "object no longer exists"
                return outcome
            } catch let error as AWSError where error.code == .responseTooLarge {
                output = .failed(object, error: "object is over the \(maxObjectBytes)-byte limit")
            } catch let error as AWSError {
                throw ProcessingError(.transient, "GetObject \(object.bucket)/\(object.key): \(error)")
            }
        }

        try checkDeadline(object, stage: "upload", context: context)
        let thumbnailKeys = output.thumbnails.map(\.key)
        let now = Int64(Date().timeIntervalSince1970)
        try await aws("record the uploads of \(object.key)") {
            try await writer.putIntent(key: object.key, version: object.version, thumbnails: thumbnailKeys, now: now)
        }
        faultPoint("record")
        try await upload(output.thumbnails, of: object)
        faultPoint("upload")
        endStage("upload")
        try checkDeadline(object, stage: "records", context: context)
        if let lost = try await commit(&output, object: object) {
            try await discard(output, of: object)
            return ObjectOutcome(status: .skipped, bucket: object.bucket, key: object.key, reason: lost, timingsMs: outcome.timingsMs)
        }
        endStage("records")
        try await sweep(object, .created(object.version), previous: previous)
        faultPoint("sweep")
        endStage("sweep")
        outcome.status = output.image.status == .processed ? .processed : .failed
        outcome.reason = output.image.error
        outcome.faceCount = output.faces.count
        outcome.facesDropped = output.facesDropped > 0 ? output.facesDropped : nil
        return outcome
    }

    /// Writes the face items then the image item. Nil when they stand; else why this writer lost.
    /// A record DynamoDB refuses (a `ValidationException`: no retry can succeed) becomes a `failed` one.
    private func commit(_ output: inout ObjectOutput, object: ObjectIdentity) async throws -> String? {
        do {
            guard try await writer.putFaces(output.faces) else { return "a newer version of the key is being written" }
            faultPoint("faces")
            guard try await writer.putImage(output.image) else { return "a newer version of the key is recorded" }
            faultPoint("image")
        } catch let error where Self.isPermanent(error) {
            try await discard(output, of: object)
            output = .failed(object, error: "DynamoDB refused the record: \(error.serviceMessage ?? error.message)", format: nil)
            do {
                guard try await writer.putImage(output.image) else { return "a newer version of the key is recorded" }
            } catch {
                throw ProcessingError(.transient, "could not record the failure of \(object.key): \(error)")
            }
        } catch {
            throw ProcessingError(.transient, "could not write the records of \(object.key): \(error)")
        }
        // A delete newer than this version may have landed between the read and the write.
        if let version = object.version,
            let tombstone = try await aws("read the tombstone of \(object.key)", { try await writer.tombstoneVersion(of: object.key) }),
            version < tombstone
        {
            try await aws("remove the record of \(object.key)") { try await writer.removeImage(key: object.key, version: version) }
            return "deleted by a newer event while being processed"
        }
        return nil
    }

    /// True for AWS errors no retry can fix: the request itself is invalid.
    static func isPermanent(_ error: AWSError) -> Bool {
        error.code == .invalidRequest || (error.code == .clientError && error.serviceCode?.hasSuffix("ValidationException") == true)
    }

    /// Uploads thumbnails (their keys are this version's own: nothing else is overwritten).
    private func upload(_ thumbnails: [ObjectOutput.Thumbnail], of object: ObjectIdentity) async throws {
        let bucket = thumbnailBucket ?? object.bucket
        try await withThrowingTaskGroup(of: Void.self) { group in
            for entry in thumbnails {
                group.addTask {
                    try await aws("upload \(entry.key)") {
                        _ = try await s3.putObject(
                            bucket: bucket, key: entry.key, body: entry.thumbnail.bytes,
                            contentType: entry.thumbnail.contentType, cacheControl: "public, max-age=31536000, immutable")
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Removes what a losing writer wrote: its thumbnails (and their upload record) and its version's face items.
    private func discard(_ output: ObjectOutput, of object: ObjectIdentity) async throws {
        try await deleteThumbnails(output.thumbnails.map(\.key), of: object)
        try await aws("forget the upload record of \(object.key)") {
            try await writer.deleteIntent(key: object.key, version: object.version)
        }
        guard !output.faces.isEmpty else { return }
        let version = object.version
        _ = try await aws("delete the face items of \(object.key)") {
            try await writer.deleteFaces(key: object.key, reader: reader) { _, stored in stored == version }
        }
    }

    /// Applies a delete: tombstone (when versioned), image item, then everything older. Nil when
    /// applied, else why it was skipped.
    private func remove(_ object: ObjectIdentity, previous: ImageRecord?) async throws -> String? {
        if let version = object.version {
            let now = Int64(Date().timeIntervalSince1970)
            guard
                try await aws(
                    "record the delete of \(object.key)", { try await writer.putTombstone(key: object.key, version: version, now: now) })
            else { return "a newer delete is recorded" }
        }
        faultPoint("tombstone")
        try await aws("delete the record of \(object.key)") { try await writer.deleteImage(key: object.key, olderThan: object.version) }
        try await sweep(object, .deleted(object.version), previous: previous)
        return nil
    }

    /// What a sweep keeps.
    enum SweepBound {
        /// After a create of `version`: everything older goes, and its own faces past its face count.
        case created(String?)
        /// After a delete at `version`: everything older goes (everything, without a version).
        case deleted(String?)

        func isStale(_ stored: String?) -> Bool {
            switch self {
            case .created(let version): VersionOrder.isOlder(stored, than: version)
            case .deleted(let version): version == nil || VersionOrder.isOlder(stored, than: version)
            }
        }
    }

    /// Deletes the key's face items and thumbnails of stale versions, plus the thumbnails `previous`
    /// (the record this event replaced) listed: what a replaced upload, a lost race or a killed run
    /// left behind. Thumbnails are found through the upload records written before each upload.
    func sweep(_ object: ObjectIdentity, _ bound: SweepBound, previous: ImageRecord?) async throws {
        var faceCount: Int?
        if case .created(let version) = bound {
            let image = try await aws("read the record of \(object.key)") { try await reader.image(key: object.key, consistent: true) }
            if let image, image.version == version { faceCount = image.faceCount }
        }
        _ = try await aws("delete the stale face items of \(object.key)") {
            try await writer.deleteFaces(key: object.key, reader: reader) { index, version in
                if bound.isStale(version) { return true }
                guard case .created(let keep) = bound, version == keep, let faceCount else { return false }
                return index >= faceCount
            }
        }
        var keys = Set<String>()
        if let previous {
            // Its own thumbnails when it is stale; those of the layout before versions in any case.
            let isStale = bound.isStale(previous.version)
            keys.formUnion(
                previous.thumbnails.map(\.key).filter { isStale || StorageLayout.isUnversionedThumbnailKey($0, of: object.key) })
        }
        // Uploads of stale versions (replaced, lost races, killed runs) found through their upload
        // records; the kept version's stays, listing its live thumbnails for the sweep after it.
        var done: [String?] = []
        for intent in try await aws("read the upload records of \(object.key)", { try await writer.intents(of: object.key) }) {
            if bound.isStale(intent.version) {
                keys.formUnion(intent.thumbnails)
                done.append(intent.version)
            }
        }
        try await deleteThumbnails(keys.sorted(), of: object)
        for version in done {
            try await aws("forget an upload record of \(object.key)") { try await writer.deleteIntent(key: object.key, version: version) }
        }
    }

    private func deleteThumbnails(_ keys: [String], of object: ObjectIdentity) async throws {
        guard !keys.isEmpty else { return }
        let result = try await aws("delete the thumbnails of \(object.key)") {
            try await s3.deleteObjects(bucket: thumbnailBucket ?? object.bucket, keys: keys)
        }
        if let failure = result.failures.first {
            throw ProcessingError(.transient, "could not delete thumbnail \(failure.key): \(failure.code) \(failure.message)")
        }
    }

    /// Fault injection (tests only, see ``Configuration/faultKillStage``): dies here like a killed function.
    private func faultPoint(_ stage: String) {
        if configuration.faultKillStage == stage { kill(getpid(), SIGKILL) }
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
        } catch let error as ProcessingError {
            throw error
        } catch {
            throw ProcessingError(.transient, "could not \(what): \(error)")
        }
    }
}
