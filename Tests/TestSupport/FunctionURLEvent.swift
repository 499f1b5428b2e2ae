import Foundation
import LambdaRuntime
import Logging

/// A Lambda Function URL event (payload format 2.0) as the service sends it, for handler tests.
public enum FunctionURLEvent {
    /// The event's bytes; a body is sent base64-encoded, as Function URLs do for binary bodies.
    public static func make(
        _ path: String, query: String = "", method: String = "GET", headers: [String: String] = [:], body: [UInt8]? = nil
    ) -> [UInt8] {
        var object: [String: Any] = [
            "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
            "headers": headers.merging(["host": "abc.lambda-url.us-east-1.on.aws"]) { a, _ in a },
            "requestContext": [
                "http": ["method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.1"],
                "requestId": UUID().uuidString,
            ],
            "isBase64Encoded": body != nil,
        ]
        if let body { object["body"] = Data(body).base64EncodedString() }
        return Array(try! JSONSerialization.data(withJSONObject: object))
    }

    /// A handler's Function URL response, decoded.
    public struct Response: Sendable {
        public var status: Int
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: [UInt8]

        /// Decodes the handler's output (`statusCode`, `headers`, `body`, `isBase64Encoded`).
        public init(_ bytes: [UInt8]) throws {
            let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
            status = object["statusCode"] as? Int ?? 0
            headers = Dictionary(
                ((object["headers"] as? [String: String]) ?? [:]).map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
            let text = object["body"] as? String ?? ""
            body = (object["isBase64Encoded"] as? Bool ?? false) ? Array(Data(base64Encoded: text) ?? Data()) : Array(text.utf8)
        }

        /// The body as a JSON object, when it is one.
        public var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] }
    }
}

extension LambdaContext {
    /// A context for in-process handler tests: `millis` before the deadline, logs discarded.
    public static func test(deadlineInMillis millis: Int64 = 60_000) -> LambdaContext {
        LambdaContext(
            requestID: "test-\(UUID().uuidString)", deadlineMillis: Int64(Date().timeIntervalSince1970 * 1000) + millis,
            invokedFunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:test",
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}
