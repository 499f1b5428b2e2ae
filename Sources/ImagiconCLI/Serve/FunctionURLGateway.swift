import FlyingFox
import Foundation

/// Turns HTTP requests into Lambda Function URL events (payload format 2.0) for a `FunctionHost`,
/// and the function's answers back into HTTP responses, as a Function URL does.
struct FunctionURLGateway: Sendable {
    let host: FunctionHost
    /// A Function URL refuses larger request bodies (6 MB payload limit).
    static let maxBodyBytes = 6 << 20

    func handle(_ request: FlyingFox.HTTPRequest) async -> FlyingFox.HTTPResponse {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maxBodyBytes {
            return Self.problem(413, "TooLarge", "The request body is larger than 6 MB.")
        }
        let body: Data
        do {
            body = try await request.bodyData
        } catch {
            return Self.problem(400, "BadRequest", "The request body could not be read.")
        }
        guard body.count <= Self.maxBodyBytes else { return Self.problem(413, "TooLarge", "The request body is larger than 6 MB.") }
        let event = Self.event(for: request, body: body)
        let invocation: HostedInvocation
        do {
            invocation = try await host.invoke(event)
        } catch {
            log("api: \(error)")
            return Self.problem(502, "BadGateway", "The API function could not be started.")
        }
        switch invocation.outcome {
        case .response(let payload):
            return Self.response(from: payload)
        case .timedOut:
            return Self.problem(504, "Timeout", "The API function timed out.")
        case .error(let report), .initError(let report):
            log("api: \(report.errorType): \(report.errorMessage)")
            return Self.problem(502, "FunctionError", "The API function failed.")
        case .crashed(let code, let signal):
            log("api: bootstrap exited (status \(code.map(String.init) ?? "-"), signal \(signal.map(String.init) ?? "-"))")
            return Self.problem(502, "FunctionError", "The API function failed.")
        }
    }

    /// The payload 2.0 event of one request.
    static func event(for request: FlyingFox.HTTPRequest, body: Data) -> Data {
        var headers: [String: String] = [:]
        var cookies: [String] = []
        for (name, value) in request.headers {
            let lower = name.rawValue.lowercased()
            if lower == "cookie" {
                cookies += value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                continue
            }
            headers[lower] = headers[lower].map { "\($0),\(value)" } ?? value
        }
        let path = request.target.path(percentEncoded: true)
        let rawQuery = request.target.query(percentEncoded: true)
        var parameters: [String: String] = [:]
        for item in request.query {
            parameters[item.name] = parameters[item.name].map { "\($0),\(item.value)" } ?? item.value
        }
        let now = Date()
        let requestID = UUID().uuidString.lowercased()
        var event: [String: Any] = [
            "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": rawQuery, "headers": headers,
            "requestContext": [
                "accountId": "anonymous", "apiId": "imagicon-local", "domainName": headers["host"] ?? "127.0.0.1",
                "domainPrefix": "imagicon-local", "requestId": requestID, "routeKey": "$default", "stage": "$default",
                "time": Self.clfDate(now), "timeEpoch": Int(now.timeIntervalSince1970 * 1000),
                "http": [
                    "method": request.method.rawValue, "path": path, "protocol": "HTTP/1.1",
                    "sourceIp": "127.0.0.1", "userAgent": headers["user-agent"] ?? "",
                ],
            ],
            "isBase64Encoded": false,
        ]
        if !parameters.isEmpty { event["queryStringParameters"] = parameters }
        if !cookies.isEmpty { event["cookies"] = cookies }
        if !body.isEmpty {
            // Function URLs pass text as text and everything else base64-encoded.
            let type = (headers["content-type"] ?? "").lowercased()
            let textual =
                type.hasPrefix("text/") || type.contains("json") || type.contains("xml") || type.contains("x-www-form-urlencoded")
            if textual, let text = String(data: body, encoding: .utf8) {
                event["body"] = text
            } else {
                event["body"] = body.base64EncodedString()
                event["isBase64Encoded"] = true
            }
        }
        return (try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    /// The HTTP response of a function's answer: `{"statusCode","headers","body","isBase64Encoded","cookies"}`,
    /// or any other JSON as a 200 `application/json` body (the Function URL rules).
    static func response(from payload: Data) -> FlyingFox.HTTPResponse {
        guard let object = try? JSONSerialization.jsonObject(with: payload, options: [.fragmentsAllowed]) as? [String: Any],
            let status = object["statusCode"] as? Int
        else {
            return FlyingFox.HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: payload)
        }
        var headers = FlyingFox.HTTPHeaders()
        for (name, value) in object["headers"] as? [String: Any] ?? [:] {
            let text = (value as? String) ?? (value as? NSNumber)?.stringValue ?? "\(value)"
            // FlyingFox sets the length itself.
            if name.lowercased() == "content-length" { continue }
            headers[HTTPHeader(name)] = text
        }
        for cookie in object["cookies"] as? [String] ?? [] {
            headers.addValue(cookie, for: HTTPHeader("Set-Cookie"))
        }
        var body = Data()
        if let text = object["body"] as? String {
            body = (object["isBase64Encoded"] as? Bool == true) ? (Data(base64Encoded: text) ?? Data()) : Data(text.utf8)
        }
        if headers[.contentType] == nil, !body.isEmpty { headers[.contentType] = "application/json" }
        return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(status, phrase: Self.phrase(status)), headers: headers, body: body)
    }

    /// A `{"error","code"}` answer of the gateway itself.
    static func problem(_ status: Int, _ code: String, _ message: String) -> FlyingFox.HTTPResponse {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message, "code": code], options: [.sortedKeys])) ?? Data()
        return FlyingFox.HTTPResponse(
            statusCode: HTTPStatusCode(status, phrase: phrase(status)), headers: [.contentType: "application/json"], body: body)
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status \(status)"
        }
    }

    /// `07/Dec/2026:16:00:00 +0000`, the format of `requestContext.time`.
    static func clfDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
