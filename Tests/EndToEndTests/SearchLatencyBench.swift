import AWSCore
import DynamoDB
import Foundation
import S3
import TestSupport
import Testing

/// Search latency on an album of 10,000 face items (5,000 photos x 2 faces, random descriptors) in
/// moto: opt-in (`SEARCH_BENCH=1`), prints the `imagicon search` stage timings. Not a pass/fail check.
@Suite(
    "search: latency over 10,000 face items (SEARCH_BENCH=1)", .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["SEARCH_BENCH"] == "1", "opt-in benchmark: SEARCH_BENCH=1"),
    .enabled(if: MotoServer.available, "needs moto[server]"),
    .enabled(if: Models.available, "needs the dlib models"),
    .enabled(if: FaceTestData.available, "needs ../shared/testdata/faces"))
struct SearchLatencyBench {
    @Test func tenThousandFaces() async throws {
        let moto = try MotoServer(auth: true)
        defer { moto.stop() }
        let dynamo = try moto.dynamoDBClient()
        try await dynamo.createImagiconTable("imagicon")
        let album = "bench/album"
        var generator = SystemRandomNumberGenerator()
        var requests: [DynamoDBWriteRequest] = []
        for photo in 0..<5000 {
            let key = "\(album)/IMG_\(photo).jpg"
            requests.append(
                .put([
                    "PK": .s("ALBUM#\(album)"), "SK": .s("IMAGE#\(key)"), "key": .s(key), "bucket": .s("uploads"),
                    "album": .s(album), "status": .s("processed"), "width": .n("4000"), "height": .n("3000"),
                    "exif": .m(["dateTimeOriginal": .s("2026-06-01T12:00:00")]),
                    "thumbnails": .l([
                        .m([
                            "key": .s("thumbnails/1024x1024/\(key)"), "width": .n("1024"), "height": .n("768"),
                            "bytes": .n("150000"),
                        ])
                    ]),
                ]))
            for index in 0..<2 {
                var bytes: [UInt8] = []
                for _ in 0..<128 {
                    let value = Float.random(in: -0.2...0.2, using: &generator)
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                }
                requests.append(
                    .put([
                        "PK": .s("ALBUM#\(album)"), "SK": .s("FACE#\(key)#\(index)"), "key": .s(key), "index": .n(String(index)),
                        "box": .m(["left": .n("100"), "top": .n("100"), "right": .n("300"), "bottom": .n("300")]),
                        "confidence": .n("1.0"), "descriptor": .b(bytes),
                    ]))
            }
        }
        let writeStart = Date()
        try await dynamo.batchWrite(table: "imagicon", requests: requests)
        print("bench: wrote \(requests.count) items in \(String(format: "%.1f", Date().timeIntervalSince(writeStart))) s")

        let env = [
            "IMAGICON_TABLE": "imagicon", "IMAGICON_THUMBNAIL_BUCKET": "thumbs", "IMAGICON_SOURCE_BUCKET": "uploads",
            "IMAGICON_MODELS_DIR": Models.directory, "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ACCESS_KEY_ID": moto.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey, "AWS_REGION": moto.region, "AWS_SESSION_TOKEN": "",
        ]
        for run in 1...3 {
            let start = Date()
            let result = try Binaries.runImagicon(
                [
                    "search", "--album", album, "--threshold", "1.99", "--limit", "1000",
                    FaceTestData.path("obama/obama.jpg"),
                ], environment: env)
            let wall = Date().timeIntervalSince(start) * 1000
            #expect(result.status == 0, "\(result.stderr)")
            let line = result.stderr.split(separator: "\n").first { $0.hasPrefix("search:") } ?? "?"
            print("bench run \(run): \(line); process wall \(String(format: "%.0f", wall)) ms")
        }
    }
}
