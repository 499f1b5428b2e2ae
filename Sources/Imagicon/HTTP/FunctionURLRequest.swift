import AWSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A Lambda Function URL request (payload format 2.0), as `search` and `convert` receive it.
public struct FunctionURLRequest: Sendable, Equatable {
    /// HTTP method, upper case.
    public var method: String
    /// Path, e.g. `/weddings/IMG_1.jpg`.
    public var rawPath: String
    /// Query string without `?`, undecoded.
    public var rawQueryString: String
    /// Headers with lower-cased names (Function URLs join repeated headers with commas).
    public var headers: [String: String]
    /// Body bytes, base64-decoded when `isBase64Encoded` was true.
    public var body: [UInt8]

    /// Decodes a request event; `maxBodyBytes` bounds the decoded body.
    public static func decode(_ bytes: [UInt8], maxBodyBytes: Int = 6 << 20) throws -> FunctionURLRequest {
        let root = try JSONPath(JSONValue.parse(bytes)).object()
        guard try root.optionalString("version") == "2.0" else {
            throw EventDecodingError(.unknownShape, "not a Function URL request: $.version must be \"2.0\"")
        }
        let http = try root.required("requestContext").object().required("http").object()
        var headers: [String: String] = [:]
        if let h = root.child("headers"), case .object(let members) = h.value {
            for (name, value) in members {
                guard case .string(let s) = value else {
                    throw EventDecodingError(.invalidField, "$.headers.\(name) must be a string")
                }
                headers[name.lowercased()] = s
            }
        }
        var body: [UInt8] = []
        if let text = try root.optionalString("body") {
            if root.child("isBase64Encoded")?.value == .bool(true) {
                guard text.utf8.count / 4 * 3 <= maxBodyBytes + 3 else {
                    throw EventDecodingError(.bodyTooLarge, "$.body is larger than \(maxBodyBytes) bytes")
                }
                guard let data = Data(base64Encoded: text) else {
                    throw EventDecodingError(.invalidField, "$.body is not valid base64")
                }
                body = Array(data)
            } else {
                body = Array(text.utf8)
            }
            guard body.count <= maxBodyBytes else {
                throw EventDecodingError(.bodyTooLarge, "$.body is larger than \(maxBodyBytes) bytes")
            }
        }
        return FunctionURLRequest(
            method: try http.requiredString("method").uppercased(),
            rawPath: try root.optionalString("rawPath") ?? http.requiredString("path"),
            rawQueryString: try root.optionalString("rawQueryString") ?? "",
            headers: headers,
            body: body)
    }

    /// Query parameters, form-decoded; a repeated name keeps its last value.
    public var queryParameters: [String: String] {
        var out: [String: String] = [:]
        for pair in rawQueryString.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = URIEncoding.decode(parts[0], plusIsSpace: true), !name.isEmpty else { continue }
            let value = parts.count > 1 ? (URIEncoding.decode(parts[1], plusIsSpace: true) ?? "") : ""
            out[name] = value
        }
        return out
    }
}

/// A Function URL response (payload format 2.0).
public struct FunctionURLResponse: Sendable, Equatable {
    /// HTTP status.
    public var statusCode: Int
    /// Response headers.
    public var headers: [String: String]
    /// Body bytes; sent base64-encoded unless `isText`.
    public var body: [UInt8]
    /// Whether the body is UTF-8 text (sent as is) rather than binary (sent as base64).
    public var isText: Bool

    /// Creates a response.
    public init(statusCode: Int, headers: [String: String] = [:], body: [UInt8] = [], isText: Bool = true) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
        self.isText = isText
    }

    /// A JSON response.
    public static func json(_ status: Int, _ value: some Encodable) throws -> FunctionURLResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return FunctionURLResponse(
            statusCode: status, headers: ["content-type": "application/json"],
            body: Array(try encoder.encode(value)), isText: true)
    }

    /// The event-shaped JSON Lambda expects back.
    public func encoded() throws -> [UInt8] {
        struct Wire: Encodable {
            let statusCode: Int
            let headers: [String: String]
            let body: String
            let isBase64Encoded: Bool
        }
        let text = isText ? String(decoding: body, as: UTF8.self) : Data(body).base64EncodedString()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(Wire(statusCode: statusCode, headers: headers, body: text, isBase64Encoded: !isText)))
    }
}
