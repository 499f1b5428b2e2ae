import Foundation
import Testing

@testable import Imagicon

@Suite("search: request parsing and validation")
struct SearchRequestTests {
    static func http(
        body: String, base64: Bool = false, query: String = "", method: String = "POST",
        contentType: String? = "application/json"
    ) -> FunctionURLRequest {
        FunctionURLRequest(
            method: method, rawPath: "/", rawQueryString: query,
            headers: contentType.map { ["content-type": $0] } ?? [:], body: Array(body.utf8))
    }

    static func code(_ body: () throws -> Any) -> SearchError.Code? {
        do {
            _ = try body()
            return nil
        } catch let error as SearchError {
            return error.code
        } catch {
            return .internalError
        }
    }

    @Test func jsonBodyWithImagesAndOptions() throws {
        let image = Data([0xFF, 0xD8, 0xFF, 0x00]).base64EncodedString()
        let request = try SearchRequest.parse(
            Self.http(body: #"{"album":"weddings/2026","images":["\#(image)"],"threshold":0.5,"limit":10,"zip":true}"#),
            defaultThreshold: 0.6)
        #expect(request.album == "weddings/2026")
        #expect(request.selfies == [.image([0xFF, 0xD8, 0xFF, 0x00])])
        #expect(request.threshold == 0.5)
        #expect(request.limit == 10)
        #expect(request.zip)
    }

    @Test func jsonBodyWithKeysUsesDefaults() throws {
        let request = try SearchRequest.parse(
            Self.http(body: #"{"album":"","keys":["selfies/me.jpg","selfies/me2.jpg"]}"#),
            defaultThreshold: 0.55)
        #expect(request.album == "")
        #expect(request.selfies == [.key("selfies/me.jpg"), .key("selfies/me2.jpg")])
        #expect(request.threshold == 0.55)
        #expect(request.limit == SearchRequest.Limits().maxLimit)
        #expect(!request.zip)
    }

    @Test func rawImageBodyWithAlbumInQuery() throws {
        let http = FunctionURLRequest(
            method: "POST", rawPath: "/", rawQueryString: "album=family%20trip%2F2026&threshold=0.4&zip=true",
            headers: ["content-type": "image/jpeg"], body: [0xFF, 0xD8, 0xFF, 0xE0])
        let request = try SearchRequest.parse(http, defaultThreshold: 0.6)
        #expect(request.album == "family trip/2026")
        #expect(request.selfies == [.image([0xFF, 0xD8, 0xFF, 0xE0])])
        #expect(request.threshold == 0.4)
        #expect(request.zip)
    }

    @Test func badRequestsAreRefusedWithTheirCode() {
        let cases: [(String, SearchError.Code)] = [
            (#"not json"#, .badRequest),
            (#"[1,2]"#, .badRequest),
            (#"{"images":["AAAA"]}"#, .badRequest), // no album
            (#"{"album":5,"images":["AAAA"]}"#, .badRequest),
            (#"{"album":"a"}"#, .badRequest), // no selfie
            (#"{"album":"a","images":"AAAA"}"#, .badRequest),
            (#"{"album":"a","images":["@@@"]}"#, .badRequest), // bad base64 ("@" is ignored -> empty)
            (#"{"album":"a","images":[""]}"#, .notAnImage),
            (#"{"album":"a","images":["AAAA"],"threshold":3}"#, .badRequest),
            (#"{"album":"a","images":["AAAA"],"threshold":"x"}"#, .badRequest),
            (#"{"album":"a","images":["AAAA"],"limit":0}"#, .badRequest),
            (#"{"album":"a","images":["AAAA"],"limit":1.5}"#, .badRequest),
            (#"{"album":"a","images":["AAAA"],"limit":100000}"#, .badRequest),
            (#"{"album":"a","images":["AAAA"],"zip":"yes"}"#, .badRequest),
            (#"{"album":"a","images":["AAAA"],"extra":1}"#, .badRequest),
            (#"{"album":"a\u0000b","images":["AAAA"]}"#, .badRequest),
            (#"{"album":"a\nb","images":["AAAA"]}"#, .badRequest),
            (#"{"album":"/a","images":["AAAA"]}"#, .badRequest),
            (#"{"album":"a","keys":[""]}"#, .badRequest),
            (#"{"album":"a","keys":["x\u0007y"]}"#, .badRequest),
            (#"{"album":"a","images":["AAAA","AAAA","AAAA","AAAA","AAAA","AAAA"]}"#, .badRequest),
        ]
        for (body, expected) in cases {
            let got = Self.code { try SearchRequest.parse(Self.http(body: body), defaultThreshold: 0.6) }
            #expect(got == expected, "\(body)")
        }
        let longAlbum = String(repeating: "a", count: 513)
        #expect(
            Self.code { try SearchRequest.parse(Self.http(body: #"{"album":"\#(longAlbum)","images":["AAAA"]}"#), defaultThreshold: 0.6) }
                == .badRequest)
        #expect(Self.code { try SearchRequest.parse(Self.http(body: "{}", method: "GET"), defaultThreshold: 0.6) } == .badRequest)
        #expect(Self.code { try SearchRequest.parse(Self.http(body: "", contentType: nil), defaultThreshold: 0.6) } == .badRequest)
        // A raw image without ?album=.
        #expect(
            Self.code { try SearchRequest.parse(Self.http(body: "\u{FF}\u{D8}", contentType: "image/jpeg"), defaultThreshold: 0.6) }
                == .badRequest)
    }

    @Test func oversizedBodiesAreTooLarge() {
        var limits = SearchRequest.Limits()
        limits.maxBodyBytes = 64
        let body = #"{"album":"a","images":["\#(String(repeating: "A", count: 100))"]}"#
        #expect(Self.code { try SearchRequest.parse(Self.http(body: body), defaultThreshold: 0.6, limits: limits) } == .tooLarge)
        // The whole event: the Function URL decoder's bound maps to TooLarge too.
        let event =
            #"{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"POST","path":"/"}},"body":"\#(Data(body.utf8).base64EncodedString())","isBase64Encoded":true}"#
        #expect(Self.code { try SearchHandler.request(from: Array(event.utf8), defaultThreshold: 0.6, limits: limits) } == .tooLarge)
        #expect(
            Self.code { try SearchHandler.request(from: Array(#"{"Records":[]}"#.utf8), defaultThreshold: 0.6, limits: limits) }
                == .badRequest)
    }

    @Test func theFixtureEventParses() throws {
        let request = try SearchHandler.request(
            from: try EventFixtures.bytes("function-url-search.json"), defaultThreshold: 0.6,
            limits: .init())
        #expect(request.album == "weddings/2026")
        #expect(request.zip)
    }

    @Test func errorBodiesCarryTheContractCodes() throws {
        #expect(
            Set(SearchError.Code.allCases.map(\.rawValue))
                == ["NoFace", "MultipleFaces", "NotAnImage", "TooLarge", "BadRequest", "UnknownAlbum", "InternalError"])
        for code in SearchError.Code.allCases where code != .internalError {
            #expect((400..<500).contains(code.status))
        }
        let response = SearchError(.noFace, "No face was found in the selfie.").response
        let wire = try JSONValue.parse(response.encoded())
        let body = try JSONValue.parse(Array((wire["body"]?.stringValue ?? "").utf8))
        #expect(body == .object(["error": .string("No face was found in the selfie."), "code": .string("NoFace")]))
        #expect(wire["statusCode"] == .number(422))
    }
}
