import Testing

@testable import Imagicon

@Suite("Function URL requests and responses")
struct FunctionURLRequestTests {
    @Test func searchRequestWithBase64Body() throws {
        let request = try FunctionURLRequest.decode(EventFixtures.bytes("function-url-search.json"))
        #expect(request.method == "POST")
        #expect(request.rawPath == "/")
        let body = try JSONValue.parse(request.body)
        #expect(body["album"] == .string("weddings/2026"))
        #expect(body["zip"] == .bool(true))
    }

    @Test func convertRequestQuery() throws {
        let request = try FunctionURLRequest.decode(EventFixtures.bytes("function-url-convert.json"))
        #expect(request.method == "GET")
        #expect(request.rawPath == "/weddings/2026/IMG_0001.jpg")
        #expect(request.queryParameters == ["w": "1024", "h": "1024", "fit": "inside", "format": "webp", "q": "80"])
        #expect(request.headers["host"] == "abcdefg.lambda-url.us-east-1.on.aws")
    }

    @Test func rejectsOtherShapesAndOversizedBodies() throws {
        #expect(throws: EventDecodingError.self) { try FunctionURLRequest.decode(EventFixtures.bytes("s3-put-jpeg.json")) }
        #expect(throws: EventDecodingError.self) {
            try FunctionURLRequest.decode(EventFixtures.bytes("function-url-search.json"), maxBodyBytes: 16)
        }
        let badBase64 =
            #"{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"POST","path":"/"}},"body":"!!!","isBase64Encoded":true}"#
        #expect(throws: EventDecodingError.self) { try FunctionURLRequest.decode(Array(badBase64.utf8)) }
    }

    @Test func binaryResponseIsBase64() throws {
        let response = FunctionURLResponse(statusCode: 200, headers: ["content-type": "image/webp"], body: [0, 1, 2, 255], isText: false)
        let wire = try JSONValue.parse(response.encoded())
        #expect(wire["isBase64Encoded"] == .bool(true))
        #expect(wire["body"] == .string("AAEC/w=="))
        #expect(wire["statusCode"] == .number(200))
    }
}
