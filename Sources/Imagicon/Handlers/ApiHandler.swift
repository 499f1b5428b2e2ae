import Dispatch
import LambdaRuntime
import Logging

/// The albums API (`_HANDLER=api`) behind a Function URL (payload format 2.0), reached through
/// CloudFront in production: albums, shares, browser uploads, photos, find me, ZIPs and conversions
/// for browsers, every call with a bearer token (see ``ApiService``; DESIGN.md, "Albums API").
///
/// Every outcome is an HTTP answer: refusals are 4xx `{"error","code"}`, our failures a generic 500
/// whose details go to the log only. The log line has the method, path, role and status, never a
/// header, a query string or a body (tokens and links stay out of logs).
public struct ApiHandler: LambdaHandler {
    /// Largest request body (a selfie or JSON); Function URLs allow 6 MB.
    public static let maxBodyBytes = 6 << 20

    let service: ApiService

    /// Creates the handler.
    public init(service: ApiService) {
        self.service = service
    }

    public func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let start = DispatchTime.now().uptimeNanoseconds
        var metadata: Logger.Metadata = [:]
        var caller: ApiService.Caller?
        var response: FunctionURLResponse
        do {
            let request: FunctionURLRequest
            do {
                request = try FunctionURLRequest.decode(event, maxBodyBytes: Self.maxBodyBytes)
            } catch let error as EventDecodingError where error.code == .bodyTooLarge {
                throw ApiError(.tooLarge, "The request body is larger than \(Self.maxBodyBytes) bytes.")
            } catch {
                throw ApiError(.badRequest, "The request is not a Function URL request with a readable body.")
            }
            metadata["method"] = .string(request.method)
            metadata["path"] = .string(String(request.rawPath.prefix(200)))
            response = try await service.respond(to: request, caller: &caller)
        } catch let error as any HTTPResponseError where error.status < 500 {
            metadata["code"] = .string(error.codeName)
            response = error.response
        } catch {
            metadata["code"] = .string(ApiError.internal.codeName)
            metadata["error"] = .string(String(describing: error))
            response = ApiError.internal.response
        }
        // Base64 would exceed the Function URL response limit (a large conversion).
        if !response.isText && (response.body.count + 2) / 3 * 4 > ConvertHandler.maxResponseBytes - 4096 {
            response = ApiError(.tooLarge, "The converted image is over the 6 MB response limit; ask for a smaller w/h.").response
        }
        metadata["role"] = caller.map { .string($0.role.rawValue) }
        AnswerLog.write("api", status: response.statusCode, startNanos: start, metadata: metadata, logger: context.logger)
        return try response.encoded()
    }
}
