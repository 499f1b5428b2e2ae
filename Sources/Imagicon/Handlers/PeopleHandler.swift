import Dispatch
import LambdaRuntime
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `people` function: groups the faces of the albums an event names into people (``PeopleJob``),
/// one album at a time. A batch skips an album with nothing to group (``PeopleAlbumNotFound``, see
/// ``PeopleEvent/skipsMissingAlbums``); any other failed album fails the invocation so Lambda
/// retries the batch (every run is idempotent: it starts from the committed state and the table).
public struct PeopleHandler: LambdaHandler {
    let job: PeopleJob

    /// Creates the handler around a configured job.
    public init(job: PeopleJob) {
        self.job = job
    }

    public func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let start = DispatchTime.now().uptimeNanoseconds
        let request = try PeopleEvent.decode(event)
        var results: [JSONValue] = []
        var failure: (any Error)?
        var skipped = 0
        for album in request.albums {
            let albumStart = DispatchTime.now().uptimeNanoseconds
            var metadata: Logger.Metadata = ["album": .string(album)]
            do {
                let o = try await job.run(album: album, recluster: request.recluster)
                metadata["version"] = .stringConvertible(o.version)
                metadata["faces"] = .stringConvertible(o.faces)
                metadata["people"] = .stringConvertible(o.people)
                metadata["unassigned"] = .stringConvertible(o.unassigned)
                metadata["reclustered"] = .stringConvertible(o.reclustered)
                metadata["conflicts"] = .stringConvertible(o.conflicts)
                metadata["writes"] = .string("\(o.personWrites) person(s), \(o.faceWrites) face(s)")
                metadata["durationMs"] = .stringConvertible(Double(DispatchTime.now().uptimeNanoseconds - albumStart) / 1e6)
                context.logger.info("people grouped", metadata: metadata)
                results.append(
                    .object([
                        "album": .string(album), "version": .number(Double(o.version)), "faces": .number(Double(o.faces)),
                        "people": .number(Double(o.people)), "unassigned": .number(Double(o.unassigned)),
                        "reclustered": .bool(o.reclustered),
                    ]))
            } catch let missing as PeopleAlbumNotFound where request.skipsMissingAlbums {
                metadata["reason"] = .string(missing.description)
                context.logger.info("people skipped", metadata: metadata)
                results.append(.object(["album": .string(album), "skipped": .string(missing.description)]))
                skipped += 1
            } catch {
                metadata["error"] = .string(String(describing: error))
                context.logger.error("people not grouped", metadata: metadata)
                failure = failure ?? error
            }
        }
        MetricsLog.emit(
            function: "people",
            counts: [
                "AlbumsGrouped": results.count - skipped, "AlbumsSkipped": skipped, "AlbumsFailed": request.albums.count - results.count,
            ],
            millis: ["InvocationDuration": Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6])
        if let failure { throw failure }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(JSONValue.object(["albums": .array(results)])))
    }
}
