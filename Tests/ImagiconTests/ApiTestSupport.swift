import AWSCore
import DynamoDB
import FaceKit
import Foundation
import ImageKit
import LambdaRuntime
import Logging
import S3
import TestSupport

@testable import Imagicon

/// A log handler that keeps every line (message and metadata) so tests can check what is logged.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            log.append(
                "\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}

/// The albums API in process: a real `ApiHandler` over moto (signature checks on), an admin token,
/// two albums with their owners, and share tokens of album A in every state. Face detection is
/// replaced by a table of known selfies (`describeSelfie`), so the tests need no models.
final class ApiFixture: @unchecked Sendable {
    let moto: MotoServer
    let s3: S3Client
    let dynamo: DynamoDBClient
    let uploads = "uploads"
    let thumbs = "thumbs"
    let table = "imagicon"
    let adminToken = "admin-" + String(repeating: "x", count: 40)
    let log = CapturedLog()
    let handler: ApiHandler
    let store: AlbumStore
    /// The people state and person items (the thumbnail bucket), and the job that groups faces.
    let peopleStore: PeopleStore
    let peopleJob: PeopleJob

    /// The descriptor of the one face in `p1.jpg`; the selfie bytes `selfie-of-p1` describe it.
    static let faceDescriptor: [Float] = (0..<128).map { Float($0 % 7) / 20 }
    static let selfie = Array("selfie-of-p1".utf8)

    init() async throws {
        moto = try MotoServer(auth: true)
        let credentials = AWSCredentials(accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey)
        let endpoint = try AWSEndpoint(url: moto.endpoint)
        s3 = S3Client(credentials: credentials, region: moto.region, endpoint: endpoint)
        dynamo = DynamoDBClient(credentials: credentials, region: moto.region, endpoint: endpoint)
        try await s3.createBucket(uploads)
        try await s3.createBucket(thumbs)
        try await StorageLayout.createTable(table, dynamo: dynamo)
        store = AlbumStore(dynamo: dynamo, table: table)
        peopleStore = PeopleStore(dynamo: dynamo, table: table, s3: s3, bucket: thumbs)
        peopleJob = PeopleJob(reader: TableReader(dynamo: dynamo, table: table), store: peopleStore)
        var settings = ApiService.Settings(sourceBucket: uploads, thumbnailBucket: thumbs, faceThreshold: 0.6)
        settings.maxUploadBytes = 64 << 20
        handler = ApiHandler(
            service: ApiService(
                store: store, reader: TableReader(dynamo: dynamo, table: table), s3: s3,
                adminTokenSHA256: AccessToken.sha256Hex(adminToken), settings: settings,
                describeSelfie: { bytes in
                    guard bytes == ApiFixture.selfie else { throw SearchError(.noFace, "No face was found in the selfie.") }
                    return ApiFixture.faceDescriptor
                },
                converter: ConvertHandler(bucket: uploads, s3: s3, converter: ImageConverter(maxPixels: 10_000_000, faces: nil))))
    }

    deinit { moto.stop() }

    /// A 64x48 JPEG.
    static func jpeg() throws -> [UInt8] {
        let px = (0..<(64 * 48 * 3)).map { UInt8($0 % 251) }
        return try ImageEncoder.encode(PixelBuffer(width: 64, height: 48, channels: 3, pixels: px), options: EncodeOptions(format: .jpeg))
    }

    /// Uploads `albums/<id>/<photoId>` with its thumbnails and writes its records as `process` would:
    /// `faces` descriptors, one face each.
    func addPhoto(
        album: String, photoId: String, faces: [[Float]] = [], processedAt: String = "2026-12-07T10:00:00.000Z", version: String? = nil
    ) async throws {
        let key = "\(Album.storageAlbum(id: album))/\(photoId)"
        let jpeg = try Self.jpeg()
        try await s3.putObject(bucket: uploads, key: key, body: jpeg, contentType: "image/jpeg")
        var thumbnails: [ImageRecord.ThumbnailEntry] = []
        for size in ["200x200", "1024x1024"] {
            let thumbKey = "thumbnails/\(size)/\(key)"
            try await s3.putObject(bucket: thumbs, key: thumbKey, body: jpeg, contentType: "image/jpeg")
            thumbnails.append(
                .init(key: thumbKey, width: size == "200x200" ? 32 : 64, height: size == "200x200" ? 24 : 48, bytes: jpeg.count))
        }
        let image = ImageRecord(
            bucket: uploads, key: key, album: Album.storageAlbum(id: album), size: Int64(jpeg.count), etag: nil, sequencer: nil,
            format: "jpeg", width: 64, height: 48, exif: nil, thumbnails: thumbnails, faceCount: faces.count, status: .processed,
            error: nil, processedAt: processedAt, version: version)
        var writes: [DynamoDBWriteRequest] = [.put(image.item)]
        for (index, descriptor) in faces.enumerated() {
            let face = FaceRecord(
                album: Album.storageAlbum(id: album), key: key, index: index, box: FaceRect(left: 1, top: 1, right: 20, bottom: 20),
                confidence: 1, landmarks: [], descriptor: descriptor, version: version,
                thumbnail: StorageLayout.faceThumbnailKey(for: key, version: version, index: index))
            writes.append(.put(face.item))
        }
        try await dynamo.batchWrite(table: table, requests: writes)
    }

    /// A Function URL event (payload 2.0).
    func event(
        _ method: String, _ path: String, query: String = "", token: String?, json: Any? = nil, body: [UInt8]? = nil,
        contentType: String? = nil, headers extra: [String: String] = [:]
    ) throws -> [UInt8] {
        var headers = ["host": "api.example.test"]
        if let token { headers["authorization"] = "Bearer \(token)" }
        var bytes = body ?? []
        if let json {
            bytes = Array(try JSONSerialization.data(withJSONObject: json))
            headers["content-type"] = "application/json"
        }
        if let contentType { headers["content-type"] = contentType }
        headers.merge(extra) { $1 }
        var event: [String: Any] = [
            "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query, "headers": headers,
            "requestContext": ["http": ["method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9"]],
        ]
        if !bytes.isEmpty {
            event["body"] = Data(bytes).base64EncodedString()
            event["isBase64Encoded"] = true
        }
        return Array(try JSONSerialization.data(withJSONObject: event))
    }

    /// Runs the handler on an event: status, headers and the body (JSON decoded when it is JSON).
    func call(_ event: [UInt8]) async throws -> (status: Int, headers: [String: String], json: [String: Any], body: [UInt8]) {
        let context = LambdaContext(
            requestID: UUID().uuidString, deadlineMillis: Int64(Date().timeIntervalSince1970 * 1000) + 60_000,
            invokedFunctionARN: "arn:test",
            logger: Logger(label: "api") { _ in CapturedLog.Handler(log: self.log) })
        let wire = try JSONSerialization.jsonObject(with: Data(try await handler.handle(event, context: context))) as! [String: Any]
        let text = wire["body"] as? String ?? ""
        let body = (wire["isBase64Encoded"] as? Bool == true) ? Array(Data(base64Encoded: text) ?? Data()) : Array(text.utf8)
        let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        return (wire["statusCode"] as? Int ?? 0, wire["headers"] as? [String: String] ?? [:], json, body)
    }

    func call(
        _ method: String, _ path: String, query: String = "", token: String?, json: Any? = nil, body: [UInt8]? = nil,
        contentType: String? = nil, headers: [String: String] = [:]
    ) async throws -> (status: Int, headers: [String: String], json: [String: Any], body: [UInt8]) {
        try await call(event(method, path, query: query, token: token, json: json, body: body, contentType: contentType, headers: headers))
    }
}
