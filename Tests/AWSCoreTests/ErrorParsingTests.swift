import Testing

@testable import AWSCore

@Suite("AWS error responses")
struct ErrorParsingTests {
    static func response(_ status: Int, _ body: String, _ headers: HTTPHeaders = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    @Test("S3 XML errors")
    func s3() {
        let error = AWSError.fromResponse(
            Self.response(
                404,
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>
                """), operation: "GetObject")
        #expect(error.code == .notFound)
        #expect(error.serviceCode == "NoSuchKey")
        #expect(error.serviceMessage == "The specified key does not exist.")
        #expect(error.requestID == "4442587FB7D0A2F9")
        #expect(error.httpStatus == 404)
        #expect(!error.isRetryable)
        let slowDown = AWSError.fromResponse(Self.response(503, "<Error><Code>SlowDown</Code></Error>"), operation: "PutObject")
        #expect(slowDown.code == .throttled)
        #expect(slowDown.isRetryable)
        let signature = AWSError.fromResponse(Self.response(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>"), operation: "x")
        #expect(signature.code == .accessDenied)
    }

    @Test("DynamoDB JSON errors")
    func dynamoDB() {
        let error = AWSError.fromResponse(
            Self.response(
                400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"Rate exceeded"}"#,
                ["x-amzn-RequestId": "RID"]), operation: "PutItem")
        #expect(error.code == .throttled)
        #expect(error.serviceCode == "ProvisionedThroughputExceededException")
        #expect(error.serviceMessage == "Rate exceeded")
        #expect(error.requestID == "RID")
        #expect(error.isRetryable)
        for code in ["ThrottlingException", "RequestLimitExceeded"] {
            #expect(AWSError.fromResponse(Self.response(400, #"{"__type":"\#(code)"}"#), operation: "x").code == .throttled)
        }
        let validation = AWSError.fromResponse(
            Self.response(400, #"{"__type":"com.amazon.coral.validate#ValidationException","Message":"bad"}"#), operation: "Query")
        #expect(validation.code == .clientError)
        #expect(validation.serviceMessage == "bad")
        #expect(!validation.isRetryable)
        let conditional = AWSError.fromResponse(
            Self.response(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"}"#), operation: "PutItem")
        #expect(conditional.code == .conditionalCheckFailed)
    }

    @Test(
        "bodies that are empty, garbage or huge still give a typed error",
        arguments: [
            (500, "", AWSError.Code.serverError), (502, "<html>bad gateway", .serverError), (503, "", .throttled),
            (429, "{not json", .throttled), (400, "\u{0}\u{1}binary", .clientError), (404, "", .notFound),
            (403, "", .accessDenied), (412, "", .conditionalCheckFailed),
        ])
    func garbage(_ status: Int, _ body: String, _ code: AWSError.Code) {
        #expect(AWSError.fromResponse(Self.response(status, body), operation: "x").code == code)
    }

    @Test("a huge error body is only scanned in its first 64 KiB")
    func huge() {
        let body = "<Error><Code>InternalError</Code>" + String(repeating: "x", count: 4 << 20)
        let error = AWSError.fromResponse(Self.response(500, body), operation: "x")
        #expect(error.serviceCode == "InternalError")
        #expect(error.message.count < 200)
    }
}
