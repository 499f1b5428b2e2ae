#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AWSError {
    /// Service error codes that mean "slow down", across S3 and DynamoDB.
    public static let throttlingCodes: Set<String> = [
        "SlowDown", "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
        "RequestThrottledException", "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "TransactionInProgressException",
    ]

    /// Classifies an error response from its status and service code.
    public static func classify(status: Int, serviceCode: String?) -> Code {
        if let serviceCode {
            if throttlingCodes.contains(serviceCode) { return .throttled }
            switch serviceCode {
            case "ConditionalCheckFailedException", "PreconditionFailed": return .conditionalCheckFailed
            case "NoSuchKey", "NoSuchBucket", "NotFound", "ResourceNotFoundException", "NoSuchUpload": return .notFound
            case "AccessDenied", "AccessDeniedException", "SignatureDoesNotMatch", "InvalidAccessKeyId",
                "UnrecognizedClientException", "InvalidSignatureException", "ExpiredToken", "ExpiredTokenException",
                "MissingAuthenticationToken", "IncompleteSignatureException", "InvalidToken":
                return .accessDenied
            default: break
            }
        }
        switch status {
        case 429: return .throttled
        case 503: return serviceCode == nil || serviceCode == "ServiceUnavailable" ? .throttled : .serverError
        case 500...599: return .serverError
        case 404: return .notFound
        case 412: return .conditionalCheckFailed
        case 401, 403: return .accessDenied
        default: return .clientError
        }
    }

    /// Reads an error response of either wire format: an XML `<Error>` document (S3, and the
    /// query-protocol errors some endpoints return) or a JSON `__type`/`message` object (DynamoDB).
    /// Never fails: an unreadable body yields an error built from the status alone.
    public static func fromResponse(_ response: HTTPResponse, operation: String) -> AWSError {
        var code: String? = nil
        var message: String? = nil
        var requestID = response.headers["x-amz-request-id"] ?? response.headers["x-amzn-requestid"]
        let body = response.body.prefix(64 * 1024)
        let firstByte = body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 })
        if firstByte == UInt8(ascii: "{") {
            if let object = try? JSONDecoder().decode(JSONErrorBody.self, from: Data(body)) {
                if let type = object.type {
                    // "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" -> the part after '#'.
                    code = type.split(separator: "#").last.map(String.init) ?? type
                }
                message = object.message ?? object.Message
            }
        } else if firstByte == UInt8(ascii: "<") {
            let text = String(decoding: body, as: UTF8.self)
            code = XMLScan.firstValue(of: "Code", in: text)
            message = XMLScan.firstValue(of: "Message", in: text)
            if requestID == nil { requestID = XMLScan.firstValue(of: "RequestId", in: text) }
        }
        if code == nil, let header = response.headers["x-amzn-errortype"] {
            code = header.split(separator: ":").first.map(String.init)
        }
        let kind = classify(status: response.status, serviceCode: code)
        let summary =
            "\(operation) failed with HTTP \(response.status)"
            + (code.map { " \($0)" } ?? "") + (message.map { ": \($0)" } ?? "")
        return AWSError(
            kind, summary, httpStatus: response.status, serviceCode: code,
            serviceMessage: message, requestID: requestID)
    }
}

private struct JSONErrorBody: Decodable {
    var type: String?
    var message: String?
    var Message: String?
    enum CodingKeys: String, CodingKey {
        case type = "__type"
        case message, Message
    }
}
