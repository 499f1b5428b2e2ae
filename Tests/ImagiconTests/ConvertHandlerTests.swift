import AWSCore
import Foundation
import ImageKit
import S3
import TestSupport
import Testing

@testable import Imagicon

/// The `convert` handler in process: Function URL events in, HTTP answers out, S3 in memory.
@Suite("convert handler in process (S3 in memory)")
struct ConvertHandlerTests {
    let s3 = InMemoryS3(buckets: ["uploads"])

    func handler(transport: ScriptedTransport? = nil) throws -> ConvertHandler {
        let transport = transport ?? s3.transport()
        let engine = transport.engine(service: "s3", rules: .s3)
        var custom = engine
        custom.endpoint = try AWSEndpoint(url: "http://127.0.0.1:1")
        return ConvertHandler(bucket: "uploads", s3: S3Client(engine: custom), converter: ImageConverter(maxPixels: 1 << 20, faces: nil))
    }

    /// A 64x48 gradient JPEG.
    static let photo: [UInt8] = {
        var pixels: [UInt8] = []
        for y in 0..<48 { for x in 0..<64 { pixels += [UInt8(x * 4), UInt8(y * 5), 128] } }
        let image = try! PixelBuffer(width: 64, height: 48, channels: 3, pixels: pixels)
        return try! ImageEncoder.encode(image, options: EncodeOptions(format: .jpeg, quality: 90))
    }()

    func get(_ path: String, _ query: String = "", method: String = "GET", headers: [String: String] = [:], using handler: ConvertHandler)
        async throws -> FunctionURLEvent.Response
    {
        try FunctionURLEvent.Response(
            await handler.handle(FunctionURLEvent.make(path, query: query, method: method, headers: headers), context: .test()))
    }

    @Test("a resize answers the image with its size and a strong ETag; that ETag then answers 304")
    func resizeThenNotModified() async throws {
        s3.put(bucket: "uploads", key: "albums/a/p.jpg", body: Self.photo, contentType: "image/jpeg")
        let handler = try handler()
        let first = try await get("/albums/a/p.jpg", "w=32&format=png", using: handler)
        #expect(first.status == 200)
        #expect(first.headers["content-type"] == "image/png")
        #expect(first.headers["x-imagicon-size"] == "32x24")
        let decoded = try ImageDecoder.decode(first.body).pixels
        #expect(decoded.width == 32 && decoded.height == 24)
        let etag = try #require(first.headers["etag"])
        let again = try await get("/albums/a/p.jpg", "w=32&format=png", headers: ["if-none-match": etag], using: handler)
        #expect(again.status == 304)
        #expect(again.body.isEmpty)
    }

    @Test("refusals: missing object 404, thumbnails/ and sessions/ 403, bad parameters 400, POST 405, not an image 422")
    func refusals() async throws {
        s3.put(bucket: "uploads", key: "albums/a/notes.txt", body: Array("hello".utf8), contentType: "text/plain")
        let handler = try handler()
        let cases: [(String, String, String, Int, String)] = [
            ("/albums/a/missing.jpg", "", "GET", 404, "NotFound"),
            ("/thumbnails/200x200/albums/a/p.jpg", "", "GET", 403, "Forbidden"),
            ("/sessions/x/selfie.jpg", "", "GET", 403, "Forbidden"),
            ("/albums/a/p.jpg", "w=0", "GET", 400, "BadRequest"),
            ("/albums/a/p.jpg", "w=10&w=20", "GET", 400, "BadRequest"),
            ("/albums/a/p.jpg", "colour=red", "GET", 400, "BadRequest"),
            ("/albums/../p.jpg", "", "GET", 400, "BadRequest"),
            ("/albums/a/p.jpg", "", "POST", 405, "MethodNotAllowed"),
            ("/albums/a/notes.txt", "w=10", "GET", 422, "NotAnImage"),
        ]
        for (path, query, method, status, code) in cases {
            let response = try await get(path, query, method: method, using: handler)
            #expect(response.status == status, "\(method) \(path)?\(query)")
            #expect(response.json?["code"] as? String == code, "\(method) \(path)?\(query)")
            #expect((response.json?["error"] as? String)?.isEmpty == false)
        }
    }

    @Test("S3 failing after the retries is a 5xx SourceUnavailable, never a crash or a leak of the AWS error")
    func sourceFailure() async throws {
        let failing = ScriptedTransport(responder: { _ in .text(503, "<Error><Code>SlowDown</Code><Message>secret detail</Message></Error>")
        })
        let response = try await get("/albums/a/p.jpg", "w=10", using: try handler(transport: failing))
        #expect([502, 503].contains(response.status))
        #expect(response.json?["code"] as? String == "SourceUnavailable")
        #expect(!String(decoding: response.body, as: UTF8.self).contains("secret detail"))
        #expect(failing.count == 3, "the retry budget, then the answer")
    }
}
