import AWSCore
import Dispatch
import ImageKit
import LambdaRuntime
import Logging
import S3

/// The `convert` function behind a Lambda Function URL:
/// `GET|HEAD /<key>?w=&h=&fit=inside|cover|smart&format=jpeg|png|webp&q=` answers the original
/// in `IMAGICON_SOURCE_BUCKET`, converted (see ``ConvertRequest``).
///
/// - 200: the image, base64 body, `Content-Type`, `Cache-Control`, a strong `ETag` derived from
///   the source's ETag and the normalised parameters, and `x-imagicon-*` headers (output size,
///   source rectangle, faces for `smart`). HEAD answers the same headers without converting.
/// - 304: `If-None-Match` matches (checked with a 64-byte ranged GetObject, before the full download).
/// - 413 `TooLarge`: the response would exceed the Function URL limit of 6 MB (base64
///   included); ask for a smaller size or a lossy format. We answer 413 rather than redirect to
///   a presigned URL so the function never writes to S3.
/// - 4xx/5xx JSON `{"error", "code"}` for everything else (see ``ConvertError``).
public struct ConvertHandler: LambdaHandler {
    /// Function URL response payload limit (the whole JSON document, base64 body included).
    public static let maxResponseBytes = 6 * 1024 * 1024
    /// Refuse source objects larger than this (before decoding; the pixel limit applies too).
    public static let maxSourceBytes = 128 << 20
    /// Caching of converted images: clients and CDNs keep them an hour, then revalidate with the ETag.
    public static let cacheControl = "public, max-age=3600"

    let bucket: String
    let s3: S3Client
    let converter: ImageConverter
    let storedFaces: StoredFaces?

    /// Creates the handler for `bucket`; `storedFaces` (when `IMAGICON_TABLE` is set) lets smart
    /// crops use the faces the process function recorded instead of detecting them.
    public init(bucket: String, s3: S3Client, converter: ImageConverter, storedFaces: StoredFaces? = nil) {
        self.bucket = bucket
        self.s3 = s3
        self.converter = converter
        self.storedFaces = storedFaces
    }

    public func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        let start = DispatchTime.now().uptimeNanoseconds
        var metadata: Logger.Metadata = [:]
        let response: FunctionURLResponse
        do {
            let request: FunctionURLRequest
            do {
                request = try FunctionURLRequest.decode(event, maxBodyBytes: 64 << 10)
            } catch {
                throw ConvertError.badRequest("Not a Function URL request: \(error).")
            }
            metadata["method"] = .string(request.method)
            metadata["path"] = .string(String(request.rawPath.prefix(1100)))
            response = try await respond(to: request, metadata: &metadata)
        } catch let error as ConvertError {
            response = error.response
            metadata["error"] = .string(error.message)
        } catch {
            context.logger.error("convert failed", metadata: ["error": .string(String(describing: error))])
            response = ConvertError(.internalError, status: 500, "The image could not be converted.").response
        }
        // Base64 alone would exceed the limit: refuse without building the document.
        let tooLarge = !response.isText && (response.body.count + 2) / 3 * 4 > Self.maxResponseBytes
        var encoded = tooLarge ? [] : try response.encoded()
        var status = response.statusCode
        if tooLarge || encoded.count > Self.maxResponseBytes {
            let error = ConvertError(
                .tooLarge, status: 413,
                "The converted image is \(response.body.count) bytes, over the 6 MB response limit once base64-encoded; ask for a smaller w/h or a lossy format (jpeg, webp)."
            )
            metadata["error"] = .string(error.message)
            encoded = try error.response.encoded()
            status = 413
        }
        AnswerLog.write("convert", status: status, startNanos: start, metadata: metadata, logger: context.logger)
        return encoded
    }

    /// Validates, checks the ETag, downloads and converts.
    func respond(to request: FunctionURLRequest, metadata: inout Logger.Metadata) async throws -> FunctionURLResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            throw ConvertError(.methodNotAllowed, status: 405, "Only GET and HEAD are supported.")
        }
        let convert = try ConvertRequest.parse(rawPath: request.rawPath, rawQueryString: request.rawQueryString)
        let parameters = convert.normalizedParameters
        metadata["key"] = .string(convert.key)
        metadata["parameters"] = .string(parameters)
        let ifNoneMatch = request.headers["if-none-match"]

        if request.method == "HEAD" || ifNoneMatch != nil {
            // Headers only: the first bytes tell the format when the request does not.
            let probe = try await source(convert.key, range: 0...63)
            let etag = probe.info.eTag.map { ConvertETag.make(sourceETag: $0, key: convert.key, parameters: parameters) }
            if let etag, let ifNoneMatch, ConvertETag.matches(ifNoneMatch: ifNoneMatch, etag: etag) {
                return FunctionURLResponse(statusCode: 304, headers: ["etag": etag, "cache-control": Self.cacheControl])
            }
            if request.method == "HEAD" {
                guard let format = convert.format ?? ImageFormat.sniff(probe.body)?.output else {
                    throw ConvertError(.notAnImage, status: 422, "The source is not a JPEG, PNG, WebP, HEIC or AVIF image.")
                }
                var headers = ["content-type": format.mimeType, "cache-control": Self.cacheControl]
                headers["etag"] = etag
                return FunctionURLResponse(statusCode: 200, headers: headers, body: [], isText: true)
            }
        }

        let object = try await source(convert.key, range: nil)
        var known: StoredFaces.Record?
        if convert.fit == .smart, let storedFaces, let etag = object.info.eTag {
            known = await storedFaces.record(bucket: bucket, key: convert.key, etag: etag)
        }
        let converted = try converter.convert(object.body, request: convert, knownFaces: known)
        var headers = [
            "content-type": converted.format.mimeType,
            "cache-control": Self.cacheControl,
            "x-imagicon-size": "\(converted.width)x\(converted.height)",
            "x-imagicon-source-rect": [
                converted.sourceRect.x, converted.sourceRect.y, converted.sourceRect.width, converted.sourceRect.height,
            ]
            .map { String(Int($0.rounded())) }.joined(separator: ","),
        ]
        if let found = converted.facesFound, let kept = converted.facesKept {
            headers["x-imagicon-faces"] = "\(kept)/\(found)"
            headers["x-imagicon-faces-from"] = converted.facesFrom
        }
        headers["etag"] = object.info.eTag.map { ConvertETag.make(sourceETag: $0, key: convert.key, parameters: parameters) }
        metadata["size"] = .string("\(converted.width)x\(converted.height)")
        metadata["bytes"] = .stringConvertible(converted.bytes.count)
        return FunctionURLResponse(statusCode: 200, headers: headers, body: converted.bytes, isText: false)
    }

    /// Reads the source object (or its first bytes), mapping S3 failures to caller-facing errors.
    func source(_ key: String, range: ClosedRange<Int>?) async throws -> S3Object {
        do {
            return try await s3.getObject(bucket: bucket, key: key, range: range, maxBytes: Self.maxSourceBytes)
        } catch {
            switch error.code {
            case .notFound:
                throw ConvertError(.notFound, status: 404, "No image with this key.")
            case .responseTooLarge:
                throw ConvertError(.tooLarge, status: 422, "The source object is over \(Self.maxSourceBytes >> 20) MiB.")
            case .clientError where error.httpStatus == 416:
                throw ConvertError(.notAnImage, status: 422, "The source object is empty.")
            case .throttled, .timeout, .connection, .serverError:
                throw ConvertError(.sourceUnavailable, status: 503, "The image store is unavailable; try again.")
            default:
                throw ConvertError(.sourceUnavailable, status: 502, "The image could not be read from the store.")
            }
        }
    }
}
