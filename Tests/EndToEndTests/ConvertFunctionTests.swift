import AWSCore
import DynamoDB
import Foundation
import ImageKit
import S3
import TestSupport
import Testing

/// The `convert` function end to end: the real bootstrap (`_HANDLER=convert`) driven by
/// `imagicon invoke` with Function URL events, reading originals from a real moto_server with
/// signature checking on.
@Suite(
    "convert: Function URL -> converted image (moto, auth on)", .serialized,
    .enabled(if: MotoServer.available, "needs moto[server] (scripts/setup installs it)"))
final class ConvertFunctionTests {
    let moto: MotoServer
    let s3: S3Client
    let bucket = "originals"
    let dir: URL
    /// Sources: the committed sample photo (1126x661, two faces) as JPEG, and as PNG and WebP made from it.
    static let sample = Binaries.repositoryRoot.appendingPathComponent("samples/album/two_people.jpg")
    static let maxPixels = 5_000_000

    init() async throws {
        moto = try MotoServer(auth: true)
        s3 = try moto.s3Client()
        try await s3.createBucket(bucket)
        dir = try Binaries.temporaryDirectory()
    }

    deinit { moto.stop() }

    var environment: [String] {
        ([
            "_HANDLER=convert", "IMAGICON_SOURCE_BUCKET=\(bucket)", "IMAGICON_MODELS_DIR=\(Models.directory)",
            "IMAGICON_MAX_PIXELS=\(Self.maxPixels)",
        ]
            + moto.functionEnvironment)
            .flatMap { ["--env", $0] }
    }

    /// A Function URL request event (payload 2.0).
    func event(_ path: String, _ query: String = "", method: String = "GET", headers: [String: String] = [:]) throws -> String {
        try Binaries.eventFile(FunctionURLEvent.make(path, query: query, method: method, headers: headers), in: dir)
    }

    /// One Function URL response as the bootstrap answered it.
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] }
    }

    /// Serves `events` to one bootstrap process and returns the responses in order.
    func invoke(_ events: [String], extraEnvironment: [String] = []) throws -> [Response] {
        let result = try Binaries.runImagicon(
            ["invoke"] + events + ["--bootstrap", Binaries.bootstrap, "--timeout", "120"] + environment
                + extraEnvironment.flatMap { ["--env", $0] })
        let invocations = try #require(try result.json()["invocations"] as? [[String: Any]], "stderr: \(result.stderr.suffix(3000))")
        return try invocations.map { record in
            let r = try #require(record["response"] as? [String: Any], "invocation failed: \(record) — \(result.stderr.suffix(2000))")
            let text = r["body"] as? String ?? ""
            let body = (r["isBase64Encoded"] as? Bool == true) ? Array(try #require(Data(base64Encoded: text))) : Array(text.utf8)
            return Response(status: r["statusCode"] as? Int ?? 0, headers: r["headers"] as? [String: String] ?? [:], body: body)
        }
    }

    func put(_ key: String, _ bytes: [UInt8]) async throws {
        _ = try await s3.putObject(bucket: bucket, key: key, body: bytes)
    }

    /// Uploads the sample in all three formats; returns the decoded sample.
    func uploadSources() async throws -> PixelBuffer {
        let jpeg = Array(try Data(contentsOf: Self.sample))
        let pixels = try ImageDecoder.decode(jpeg).pixels
        try await put("album/photo.jpeg", jpeg)
        try await put("album/photo.png", try ImageEncoder.encode(pixels, options: EncodeOptions(format: .png)))
        try await put("album/photo.webp", try ImageEncoder.encode(pixels, options: EncodeOptions(format: .webp, quality: 95)))
        return pixels
    }

    @Test func everyFormatPairAndFitDecodesToTheRequestedSize() async throws {
        _ = try await uploadSources()
        var cases: [(event: String, format: ImageFormat, size: (Int, Int), what: String)] = []
        for source in ImageFormat.encodable {
            for target in ImageFormat.encodable {
                for (query, size) in [
                    ("w=300&h=300&fit=inside", (300, 176)), ("w=200&h=200&fit=cover", (200, 200)),
                    ("w=240&h=160&fit=smart", (240, 160)), ("h=100", (170, 100)),
                ] {
                    let q = "\(query)&format=\(target.rawValue)"
                    cases.append((try event("/album/photo.\(source.rawValue)", q), target, size, "\(source) \(q)"))
                }
            }
        }
        let responses = try invoke(cases.map(\.event))
        #expect(responses.count == cases.count)
        for (c, r) in zip(cases, responses) {
            #expect(r.status == 200, "\(c.what): \(String(decoding: r.body.prefix(300), as: UTF8.self))")
            #expect(r.headers["content-type"] == c.format.mimeType, "\(c.what)")
            #expect(r.headers["cache-control"] == "public, max-age=3600")
            #expect(r.headers["etag"]?.hasPrefix("\"") == true)
            #expect(ImageFormat.sniff(r.body) == c.format, "\(c.what)")
            let decoded = try ImageDecoder.decode(r.body).pixels
            #expect((decoded.width, decoded.height) == c.size, "\(c.what)")
        }
    }

    @Test(.enabled(if: Models.available, "needs the dlib models in models/ (scripts/fetch-models)"))
    func smartCropContainsTheFaces() async throws {
        let source = try await uploadSources()
        // Face boxes from the CLI (the same detector, run independently on the full image).
        let faces = try Binaries.runImagicon(["faces", Self.sample.path], environment: ["IMAGICON_MODELS_DIR": Models.directory]).json()
        let boxes = try #require(faces["faces"] as? [[String: Any]]).compactMap { face -> [String: Double]? in
            (face["box"] as? [String: Any])?.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        try #require(boxes.count == 2, "two_people.jpg has two faces")
        let responses = try invoke([
            try event("/album/photo.jpeg", "w=600&h=300&fit=smart&format=png"),
            try event("/album/photo.jpeg", "w=600&h=300&fit=cover&format=png"),
        ])
        let smart = responses[0]
        #expect(smart.status == 200)
        #expect(smart.headers["x-imagicon-faces"] == "2/2")
        let rect = try #require(smart.headers["x-imagicon-source-rect"]?.split(separator: ",").compactMap { Double($0) })
        try #require(rect.count == 4)
        for box in boxes {
            let tolerance = 4.0
            #expect(
                box["left"]! >= rect[0] - tolerance && box["right"]! + 1 <= rect[0] + rect[2] + tolerance
                    && box["top"]! >= rect[1] - tolerance && box["bottom"]! + 1 <= rect[1] + rect[3] + tolerance,
                "face \(box) outside the crop \(rect)")
        }
        // The header tells the truth: the output is that rectangle of the source, resampled.
        let output = try ImageDecoder.decode(smart.body).pixels
        let expected = try Resampler.resize(
            source, width: 600, height: 300,
            rect: SourceRect(x: rect[0], y: rect[1], width: rect[2], height: rect[3]))
        #expect(meanAbsoluteDifference(output, expected) < 4, "smart output differs from its reported source rectangle")
        #expect(responses[1].headers["x-imagicon-faces"] == nil)
    }

    @Test func smartCropWithoutTheModelIsCentred() async throws {
        _ = try await uploadSources()
        let responses = try invoke(
            [try event("/album/photo.jpeg", "w=300&h=300&fit=smart"), try event("/album/photo.jpeg", "w=300&h=300&fit=cover")],
            extraEnvironment: ["IMAGICON_MODELS_DIR=/nonexistent"])
        #expect(responses.map(\.status) == [200, 200])
        #expect(responses[0].headers["x-imagicon-faces"] == nil)
        #expect(responses[0].headers["x-imagicon-source-rect"] == responses[1].headers["x-imagicon-source-rect"])
        #expect(responses[0].body == responses[1].body)
    }

    @Test func smartCropUsesTheRecordedFacesOfTheSameBytes() async throws {
        _ = try await uploadSources()
        let dynamo = try moto.dynamoDBClient()
        let table = "imagicon"
        try await dynamo.createImagiconTable(table)
        let etag = try #require(try await s3.headObject(bucket: bucket, key: "album/photo.jpeg").eTag).replacingOccurrences(
            of: "\"", with: "")
        func record(etag: String) async throws {
            try await dynamo.putItem(
                table: table,
                item: [
                    "PK": .s("ALBUM#album"), "SK": .s("IMAGE#album/photo.jpeg"), "bucket": .s(bucket), "key": .s("album/photo.jpeg"),
                    "etag": .s(etag), "status": .s("processed"), "width": .n("1126"), "height": .n("661"), "faceCount": .n("1"),
                ])
        }
        // A recorded "face" in the bottom-right corner, where the detector finds none.
        try await dynamo.putItem(
            table: table,
            item: [
                "PK": .s("ALBUM#album"), "SK": .s("FACE#album/photo.jpeg#0"), "key": .s("album/photo.jpeg"), "index": .n("0"),
                "box": .m(["left": .n("1006"), "top": .n("520"), "right": .n("1105"), "bottom": .n("619")]), "confidence": .n("1.5"),
                "descriptor": .b([UInt8](repeating: 0, count: 512)),
            ])
        try await record(etag: etag)
        let query = "w=200&h=200&fit=smart&format=jpeg"
        let fromRecords = try invoke([try event("/album/photo.jpeg", query)], extraEnvironment: ["IMAGICON_TABLE=\(table)"])[0]
        #expect(fromRecords.status == 200)
        #expect(fromRecords.headers["x-imagicon-faces-from"] == "records" && fromRecords.headers["x-imagicon-faces"] == "1/1")
        let rect = try #require(fromRecords.headers["x-imagicon-source-rect"]?.split(separator: ",").compactMap { Double($0) })
        #expect(rect.count == 4 && rect[0] <= 1006 && rect[0] + rect[2] >= 1106 && rect[1] <= 520 && rect[1] + rect[3] >= 620, "\(rect)")

        // A record of other bytes is ignored: the detector runs.
        try await record(etag: "0123456789abcdef0123456789abcdef")
        let detected = try invoke([try event("/album/photo.jpeg", query)], extraEnvironment: ["IMAGICON_TABLE=\(table)"])[0]
        #expect(detected.status == 200)
        if Models.available {
            #expect(detected.headers["x-imagicon-faces-from"] == "detector")
        } else {
            #expect(detected.headers["x-imagicon-faces"] == nil)
        }
    }

    @Test func eventFixturesReplay() async throws {
        try await put("weddings/2026/IMG_0001.jpg", Array(try Data(contentsOf: Self.sample)))
        let names = [
            "function-url-convert.json", "function-url-convert-png-cover.json", "function-url-convert-smart.json",
            "function-url-convert-conditional.json", "function-url-convert-head.json",
            "function-url-convert-bad-params.json", "function-url-convert-bad-key.json",
        ]
        let r = try invoke(names.map { Binaries.repositoryRoot.appendingPathComponent("events/\($0)").path })
        #expect(r.map(\.status) == [200, 200, 200, 200, 200, 400, 400])
        #expect(r[0].headers["content-type"] == "image/webp" && r[0].headers["x-imagicon-size"] == "1024x601")
        #expect(r[1].headers["content-type"] == "image/png" && r[1].headers["x-imagicon-size"] == "400x400")
        #expect(r[2].headers["content-type"] == "image/jpeg" && r[2].headers["x-imagicon-size"] == "600x800")
        #expect(r[3].headers["etag"] == r[4].headers["etag"] && r[4].body.isEmpty)
        #expect(r[5].json?["code"] as? String == "BadRequest" && r[6].json?["code"] as? String == "BadRequest")
    }

    func meanAbsoluteDifference(_ a: PixelBuffer, _ b: PixelBuffer) -> Double {
        guard a.width == b.width, a.height == b.height, a.channels == b.channels else { return .infinity }
        var sum = 0
        for i in a.pixels.indices { sum += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
        return Double(sum) / Double(a.pixels.count)
    }

    @Test func conditionalRequestsHeadAndChangedSources() async throws {
        _ = try await uploadSources()
        let first = try invoke([
            try event("/album/photo.jpeg", "w=100&format=webp"),
            try event("/album/photo.jpeg", "format=webp&w=100&q=85"),
            try event("/album/photo.jpeg", "w=101&format=webp"),
            try event("/album/photo.jpeg", "w=100&format=webp", method: "HEAD"),
        ])
        let etag = try #require(first[0].headers["etag"])
        #expect(first[1].headers["etag"] == etag, "equivalent parameters share the ETag")
        #expect(first[2].headers["etag"] != etag)
        #expect(first[3].status == 200 && first[3].body.isEmpty)
        #expect(first[3].headers["etag"] == etag && first[3].headers["content-type"] == "image/webp")

        let second = try invoke([
            try event("/album/photo.jpeg", "w=100&format=webp", headers: ["if-none-match": etag]),
            try event("/album/photo.jpeg", "w=100&format=webp", headers: ["if-none-match": "W/\(etag), \"other\""]),
            try event("/album/photo.jpeg", "w=100&format=webp", headers: ["if-none-match": "\"other\""]),
        ])
        #expect(second[0].status == 304 && second[0].body.isEmpty && second[0].headers["etag"] == etag)
        #expect(second[1].status == 304)
        #expect(second[2].status == 200 && second[2].headers["etag"] == etag && !second[2].body.isEmpty)

        // A new upload under the same key gets a new ETag: the old one no longer matches.
        let png = try ImageEncoder.encode(
            PixelBuffer(width: 8, height: 8, channels: 3, pixels: [UInt8](repeating: 90, count: 192)),
            options: EncodeOptions(format: .png))
        try await put("album/photo.jpeg", png)
        let third = try invoke([try event("/album/photo.jpeg", "w=100&format=webp", headers: ["if-none-match": etag])])
        #expect(third[0].status == 200 && third[0].headers["etag"] != etag)
        #expect(try ImageDecoder.decode(third[0].body).pixels.width == 8, "never enlarged")
    }

    @Test func limitsAndBadRequestsAnswerJSONErrors() async throws {
        _ = try await uploadSources()
        // Over IMAGICON_MAX_PIXELS (3000x2000 > 5 MP), not an image, and noise whose PNG is over 6 MB.
        let flat = try PixelBuffer(width: 3000, height: 2000, channels: 3, pixels: [UInt8](repeating: 128, count: 3000 * 2000 * 3))
        try await put("album/huge.jpeg", try ImageEncoder.encode(flat, options: EncodeOptions(format: .jpeg)))
        try await put("album/notes.jpeg", Array("just some text".utf8))
        // Incompressible pixels (xorshift), 1600x1600: PNG ~7.7 MB, over 6 MB before base64.
        var words = [UInt64](repeating: 0, count: 1600 * 1600 * 3 / 8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in words.indices {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            words[i] = state
        }
        let noise = try PixelBuffer(width: 1600, height: 1600, channels: 3, pixels: words.withUnsafeBytes { Array($0) })
        try await put("album/noise.png", try ImageEncoder.encode(noise, options: EncodeOptions(format: .png)))
        try await put("thumbnails/200x200/album/photo.jpeg", Array("x".utf8))

        let cases: [(String, String, String, Int, String)] = [
            ("GET", "/album/huge.jpeg", "w=100", 422, "TooLarge"),
            ("GET", "/album/notes.jpeg", "w=100", 422, "NotAnImage"),
            ("GET", "/album/noise.png", "format=png", 413, "TooLarge"),
            ("GET", "/album/missing.jpeg", "w=100", 404, "NotFound"),
            ("GET", "/thumbnails/200x200/album/photo.jpeg", "", 403, "Forbidden"),
            ("GET", "/album/../album/photo.jpeg", "", 400, "BadRequest"),
            ("GET", "//album/photo.jpeg", "", 400, "BadRequest"),
            ("GET", "/album/photo.jpeg", "w=5000", 400, "BadRequest"),
            ("GET", "/album/photo.jpeg", "w=100&width=100", 400, "BadRequest"),
            ("GET", "/album/photo.jpeg", "format=gif", 400, "BadRequest"),
            ("GET", "/album/photo.jpeg", "fit=stretch&w=1&h=1", 400, "BadRequest"),
            ("GET", "/album/photo.jpeg", "q=0", 400, "BadRequest"),
            ("POST", "/album/photo.jpeg", "", 405, "MethodNotAllowed"),
        ]
        let responses = try invoke(try cases.map { try event($0.1, $0.2, method: $0.0) })
        for (c, r) in zip(cases, responses) {
            #expect(r.status == c.3, "\(c.0) \(c.1)?\(c.2): \(String(decoding: r.body.prefix(300), as: UTF8.self))")
            #expect(r.headers["content-type"] == "application/json")
            let json = try #require(r.json, "\(c.1)?\(c.2)")
            #expect(json["code"] as? String == c.4, "\(c.1)?\(c.2)")
            let message = try #require(json["error"] as? String)
            #expect(!message.isEmpty && !message.contains("Swift") && !message.contains(".swift"), "no internals: \(message)")
        }
        // The bigger output that would not fit the response is fine as JPEG.
        let ok = try invoke([try event("/album/noise.png", "w=1024&format=jpeg&q=80")])
        #expect(ok[0].status == 200 && ok[0].headers["x-imagicon-size"] == "1024x1024")
        #expect(try ImageDecoder.decode(ok[0].body).pixels.width == 1024)
    }
}
