import Dispatch
import LambdaRuntime
import Logging

/// The `search` function behind a Function URL (payload format 2.0): a selfie in, the album's photos
/// of that person out, with presigned links and optionally one ZIP (DESIGN.md).
///
/// Every outcome is an HTTP answer: the caller's mistakes are 4xx `{"error","code"}`; our failures are a
/// generic 500 whose details go to the log only.
public struct SearchHandler: LambdaHandler {
    let service: SearchService
    let defaultThreshold: Double
    let limits: SearchRequest.Limits

    /// Creates the handler.
    public init(service: SearchService, defaultThreshold: Double, limits: SearchRequest.Limits = .init()) {
        self.service = service
        self.defaultThreshold = defaultThreshold
        self.limits = limits
    }

    public func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let start = DispatchTime.now().uptimeNanoseconds
        var timings = SearchTimings()
        var metadata: Logger.Metadata = [:]
        let response: FunctionURLResponse
        do {
            let request = try Self.request(from: event, defaultThreshold: defaultThreshold, limits: limits)
            metadata["album"] = .string(request.album)
            metadata["selfies"] = .stringConvertible(request.selfies.count)
            let result = try await service.search(request, timings: &timings)
            metadata["matches"] = .stringConvertible(result.matches.count)
            response = try Self.json(200, result)
        } catch let error as SearchError where error.code != .internalError {
            metadata["code"] = .string(error.code.rawValue)
            response = error.response
        } catch {
            metadata["code"] = .string(SearchError.Code.internalError.rawValue)
            metadata["error"] = .string(String(describing: error))
            response = SearchError.internal.response
        }
        metadata["stagesMs"] = .dictionary([
            "selfies": .stringConvertible(timings.selfiesMs), "read": .stringConvertible(timings.readMs),
            "compute": .stringConvertible(timings.computeMs),
            "respond": .stringConvertible(timings.respondMs), "zip": .stringConvertible(timings.zipMs),
        ])
        metadata["items"] = .stringConvertible(timings.items)
        metadata["indexBytes"] = .stringConvertible(timings.indexBytes)
        metadata["imagesRead"] = .stringConvertible(timings.imagesRead)
        AnswerLog.write("search", status: response.statusCode, startNanos: start, metadata: metadata, logger: context.logger)
        return try response.encoded()
    }

    /// Decodes and validates the Function URL event; a bad event is a ``SearchError``.
    static func request(from event: [UInt8], defaultThreshold: Double, limits: SearchRequest.Limits) throws -> SearchRequest {
        let http: FunctionURLRequest
        do {
            http = try FunctionURLRequest.decode(event, maxBodyBytes: limits.maxBodyBytes)
        } catch let error as EventDecodingError {
            if error.code == .bodyTooLarge {
                throw SearchError(.tooLarge, "The request body is larger than \(limits.maxBodyBytes) bytes.")
            }
            throw SearchError(.badRequest, "The request is not a Function URL request with a readable body.")
        }
        return try SearchRequest.parse(http, defaultThreshold: defaultThreshold, limits: limits)
    }

    /// A JSON answer that is never cached (it holds short-lived presigned URLs).
    static func json(_ status: Int, _ value: some Encodable) throws -> FunctionURLResponse {
        var response = try FunctionURLResponse.json(status, value)
        response.headers["cache-control"] = "no-store"
        return response
    }
}
