import AWSCore
import ArgumentParser
import DynamoDB
import FaceKit
import Foundation
import Imagicon
import S3

/// `imagicon-bench index`: find me through the album's packed face index against find me through
/// its face items, on synthetic albums (two faces a photo, 50 faces an identity; the selfie is
/// identity 0), at each `--faces` size. Prints one JSON document.
///
/// In process, for every size:
/// - **items**: the album partition as DynamoDB's Query answers it (the items `process` writes,
///   paged at 1 MB of item size, as JSON): its bytes, item size and read units; the time to decode
///   those pages, join faces to images (``TableReader/AlbumContents``) and rank.
/// - **index**: the object the people job writes: its bytes; the time to decode it, scan it
///   (``PackedFaceIndex/faces(near:threshold:)``) and rank the candidate photos' float32 faces; plus
///   the image and face items the real path reads for the candidates (GetItems and item size).
/// With `AWS_ENDPOINT_URL` set (`scripts/moto-server --exec`), sizes up to `--store-up-to` are also
/// written to that table and bucket and ``AlbumFaces`` is timed end to end, both ways.
struct BenchIndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "Find me: packed face index vs face items (time, bytes) on synthetic albums.")

    @Option(parsing: .upToNextOption, help: "Album sizes in faces.") var faces: [Int] = [1000, 10_000, 100_000]
    @Option(help: "Runs per measurement (best kept).") var runs = 3
    @Option(help: "Largest album also written to the AWS endpoint (needs AWS_ENDPOINT_URL).") var storeUpTo = 10_000

    struct Path: Encodable {
        /// Bytes on the wire (JSON pages, or the object).
        var bytes: Int
        /// DynamoDB item size read (0 for the object).
        var itemBytes: Int
        var pages: Int
        /// Eventually consistent read units (0 for the object).
        var readUnits: Double
        var wallMs: Double
        var cpuMs: Double
    }

    struct Store: Encodable {
        var itemsWallMs: Double
        var indexWallMs: Double
        var indexImagesRead: Int
        var sameMatches: Bool
    }

    struct Size: Encodable {
        var faces: Int
        var photos: Int
        var matches: Int
        var sameMatches: Bool
        var maxDistanceDifference: Double
        /// Had the float16 distances been ranked as they are (not the candidates' float32 faces).
        var float16AloneSameMatches: Bool
        var float16AloneMaxDistanceDifference: Double
        var items: Path
        var index: Path
        /// GetItems the index path makes for its candidates (an image item a photo, a face item a
        /// candidate face), and their item size.
        var confirmReads: Int
        var confirmItemBytes: Int
        var store: Store?
    }

    struct Album {
        var name: String
        var images: [ImageRecord]
        var faces: [FaceRecord]
        var selfie: [Float]
    }

    func run() async throws {
        var sizes: [Size] = []
        let environment = ProcessInfo.processInfo.environment
        let endpoint = environment["AWS_ENDPOINT_URL"] != nil
        for count in faces {
            let album = Self.album(faces: count)
            var size = try measure(album)
            if endpoint, count <= storeUpTo { size.store = try await store(album, environment: environment) }
            sizes.append(size)
            FileHandle.standardError.write(Data("index: \(count) faces done\n".utf8))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        FileHandle.standardOutput.write(try encoder.encode(["sizes": sizes]))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// The in-process measurement of one album.
    func measure(_ album: Album) throws -> Size {
        let limit = 200
        // Items: the partition in key order (FACE# before IMAGE#), paged at 1 MB of item size.
        let items = (album.faces.map(\.item) + album.images.map(\.item)).sorted {
            ($0["SK"]?.stringValue ?? "") < ($1["SK"]?.stringValue ?? "")
        }
        var pages: [[UInt8]] = []
        var page: [DynamoDBItem] = []
        var pageSize = 0
        var itemBytes = 0
        var readUnits = 0.0
        func flush() throws {
            pages.append(Array(try JSONEncoder().encode(QueryPage(Items: page, Count: page.count))))
            readUnits += (Double(pageSize) / 4096).rounded(.up) / 2
            page = []
            pageSize = 0
        }
        for item in items {
            let size = Self.itemSize(item)
            if pageSize + size > 1 << 20 { try flush() }
            page.append(item)
            pageSize += size
            itemBytes += size
        }
        try flush()
        var viaItems: [RankedMatch] = []
        let itemsTime = try BenchFacesCommand.measure(runs: runs) {
            var all: [DynamoDBItem] = []
            for bytes in pages { all += try JSONDecoder().decode(QueryPage.self, from: Data(bytes)).Items }
            let contents = TableReader.AlbumContents(items: all, album: album.name)
            let faces = contents.faces.map { AlbumFace(key: $0.key, index: $0.index, box: $0.box, descriptor: $0.descriptor) }
            viaItems = SearchRanking.rank(faces: faces, selfies: [album.selfie], threshold: 0.6, limit: limit)
        }

        // Index: the object decoded and scanned for candidate faces (float16 distance within the threshold
        // plus its error bound); the real path then reads the candidate photos' image items and the
        // candidate faces' items (a GetItem each) and ranks their float32 descriptors, timed here on the
        // faces those reads return.
        let object = try PackedFaceIndex(faces: album.faces, stateVersion: 1).encoded()
        struct FaceID: Hashable {
            var key: String
            var index: Int
        }
        let exact = Dictionary(
            album.faces.map {
                (FaceID(key: $0.key, index: $0.index), AlbumFace(key: $0.key, index: $0.index, box: $0.box, descriptor: $0.descriptor))
            },
            uniquingKeysWith: { a, _ in a })
        var viaIndex: [RankedMatch] = []
        var viaFloat16: [RankedMatch] = []
        var candidatePhotos = 0
        var candidateFaces = 0
        let indexTime = try BenchFacesCommand.measure(runs: runs) {
            let index = try PackedFaceIndex(decoding: object)
            let near = index.faces(near: [album.selfie], threshold: 0.6 + index.errorBound).map { index.face($0).face }
            candidatePhotos = Set(near.map(\.key)).count
            candidateFaces = near.count
            viaIndex = SearchRanking.rank(
                faces: near.compactMap { exact[FaceID(key: $0.key, index: $0.index)] }, selfies: [album.selfie], threshold: 0.6,
                limit: limit)
            viaFloat16 = SearchRanking.rank(faces: near, selfies: [album.selfie], threshold: 0.6, limit: limit)
        }
        let faceItemBytes = album.faces.prefix(1).map { Self.itemSize($0.item) }.reduce(0, +)
        let imageItemBytes = album.images.prefix(1).map { Self.itemSize($0.item) }.reduce(0, +)
        let confirmReads = candidatePhotos + candidateFaces
        let confirmBytes = candidatePhotos * imageItemBytes + candidateFaces * faceItemBytes
        let same = viaItems.map(\.key) == viaIndex.map(\.key)
        let difference = zip(viaItems, viaIndex).map { abs($0.distance - $1.distance) }.max() ?? 0
        let float16Same = viaItems.map(\.key) == viaFloat16.map(\.key)
        let float16Difference = zip(viaItems, viaFloat16).map { abs($0.distance - $1.distance) }.max() ?? 0
        return Size(
            faces: album.faces.count, photos: album.images.count, matches: viaIndex.count, sameMatches: same,
            maxDistanceDifference: difference, float16AloneSameMatches: float16Same, float16AloneMaxDistanceDifference: float16Difference,
            items: Path(
                bytes: pages.map(\.count).reduce(0, +), itemBytes: itemBytes, pages: pages.count, readUnits: readUnits,
                wallMs: itemsTime.wallMs, cpuMs: itemsTime.cpuMs),
            index: Path(bytes: object.count, itemBytes: 0, pages: 1, readUnits: 0, wallMs: indexTime.wallMs, cpuMs: indexTime.cpuMs),
            confirmReads: confirmReads, confirmItemBytes: confirmBytes, store: nil)
    }

    /// Writes the album to the endpoint's table and bucket as `process` and the people job leave it
    /// (every face in the index) and times ``AlbumFaces`` both ways.
    func store(_ album: Album, environment: [String: String]) async throws -> Store {
        let dynamo = try DynamoDBClient.fromEnvironment(environment)
        let s3 = try S3Client.fromEnvironment(environment)
        let table = "imagicon-bench-index"
        let bucket = "imagicon-bench-index"
        do throws(AWSError) {
            try await StorageLayout.createTable(table, dynamo: dynamo)
        } catch {
            if error.serviceCode != "ResourceInUseException" { throw error }
        }
        do throws(AWSError) {
            try await s3.createBucket(bucket)
        } catch {
            if error.serviceCode != "BucketAlreadyOwnedByYou" { throw error }
        }
        var faces = album.faces
        for i in faces.indices { faces[i].packed = true }
        try await dynamo.batchWrite(table: table, requests: (album.images.map(\.item) + faces.map(\.item)).map { .put($0) })
        let faceIndex = FaceIndexStore(dynamo: dynamo, table: table, s3: s3, bucket: bucket)
        _ = try await faceIndex.write(album: album.name, faces: album.faces, stateVersion: 1)
        let reader = TableReader(dynamo: dynamo, table: table)
        let clock = ContinuousClock()
        func best(_ body: () async throws -> AlbumFaces.Matches) async throws -> (Double, AlbumFaces.Matches) {
            var fastest = Double.infinity
            var result: AlbumFaces.Matches?
            for _ in 0..<runs {
                let start = clock.now
                result = try await body()
                let elapsed = clock.now - start
                fastest = min(fastest, Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
            }
            return (fastest, result!)
        }
        let items = try await best {
            try await AlbumFaces.load(album: album.name, reader: reader, faceIndex: nil).match(
                selfies: [album.selfie], threshold: 0.6, limit: 200)
        }
        let index = try await best {
            try await AlbumFaces.load(album: album.name, reader: reader, faceIndex: faceIndex)
                .match(selfies: [album.selfie], threshold: 0.6, limit: 200)
        }
        return Store(
            itemsWallMs: items.0, indexWallMs: index.0, indexImagesRead: index.1.imagesRead,
            sameMatches: items.1.ranked.map(\.key) == index.1.ranked.map(\.key))
    }

    struct QueryPage: Codable {
        var Items: [DynamoDBItem]
        var Count: Int
    }

    /// DynamoDB's item size: attribute names plus values (strings and binaries by length, numbers
    /// about one byte per two digits, maps and lists 3 bytes plus their elements).
    static func itemSize(_ item: DynamoDBItem) -> Int {
        func size(_ value: AttributeValue) -> Int {
            switch value {
            case .s(let s): s.utf8.count
            case .n(let n): n.count / 2 + 1
            case .b(let b): b.count
            case .bool, .null: 1
            case .m(let m): 3 + m.reduce(0) { $0 + $1.key.utf8.count + size($1.value) + 1 }
            case .l(let l): 3 + l.reduce(0) { $0 + size($1) + 1 }
            case .ss(let ss): ss.reduce(0) { $0 + $1.utf8.count }
            case .ns(let ns): ns.reduce(0) { $0 + $1.count / 2 + 1 }
            case .bs(let bs): bs.reduce(0) { $0 + $1.count }
            }
        }
        return item.reduce(0) { $0 + $1.key.utf8.count + size($1.value) }
    }

    /// A synthetic album of `faces` faces: two a photo, identities of 50 faces (descriptors as dlib's
    /// spread: centres of norm about 0.85, faces about 0.35 from their centre), records as `process` writes them.
    static func album(faces count: Int) -> Album {
        var state: UInt64 = 7
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        func gaussian(_ sigma: Float) -> Float {
            Float((-2 * log(max(next(), 1e-12))).squareRoot() * cos(2 * .pi * next())) * sigma
        }
        let identities = max(2, count / 50)
        let centres = (0..<identities).map { _ in (0..<128).map { _ in gaussian(0.075) } }
        let name = "albums/bench\(count)"
        var images: [ImageRecord] = []
        var records: [FaceRecord] = []
        for p in 0..<(count + 1) / 2 {
            let key = "\(name)/IMG_\(String(format: "%06d", p)).jpg"
            let version = String(format: "%016llX", 0x17A_0000_0000 + UInt64(p))
            // The items as `process` writes them (the records' initialisers are internal to Imagicon).
            let pk = AttributeValue.s(StorageLayout.partitionKey(album: name))
            let exif: [String: AttributeValue] = [
                "make": .s("Canon"), "model": .s("Canon EOS R6"),
                "dateTimeOriginal": .s("2026-06-14T15:\(String(format: "%02d", p % 60)):00"),
                "exposureTime": .n("0.004"), "fNumber": .n("2.8"), "iso": .n("400"), "focalLength": .n("50"), "width": .n("5472"),
                "height": .n("3648"),
            ]
            let thumbnails: [AttributeValue] = [("200x200", 200, 133, 9_000), ("1024x1024", 1024, 683, 120_000)].map { size, w, h, bytes in
                .m([
                    "key": .s("thumbnails/\(size)/\(key)/\(version).jpg"), "width": .number(w), "height": .number(h),
                    "bytes": .number(bytes),
                ])
            }
            let image: DynamoDBItem = [
                "PK": pk, "SK": .s(StorageLayout.imageSortKey(key: key)), "bucket": .s("uploads"), "key": .s(key), "album": .s(name),
                "size": .number(6_000_000), "etag": .s("\"0123456789abcdef0123456789abcdef\""), "sequencer": .s(version),
                "format": .s("jpeg"), "width": .number(5472), "height": .number(3648), "exif": .m(exif), "thumbnails": .l(thumbnails),
                "faceCount": .number(2), "status": .s("processed"), "processedAt": .s("2026-06-14T16:00:00.000Z"), "version": .s(version),
            ]
            images.append(ImageRecord(item: image)!)
            for index in 0..<2 where records.count < count {
                let identity = Int(next() * Double(identities))
                let box: [String: AttributeValue] = [
                    "left": .number(1000 + index * 900), "top": .number(800), "right": .number(1400 + index * 900), "bottom": .number(1200),
                ]
                let descriptor = centres[identity].map { $0 + gaussian(0.022) }
                let face: DynamoDBItem = [
                    "PK": pk, "SK": .s(StorageLayout.faceSortKey(key: key, index: index)), "key": .s(key), "index": .number(index),
                    "box": .m(box), "confidence": .n("1.2"),
                    "landmarks": .l((0..<5).map { .l([.number(1000 + index * 900 + 40 * $0), .number(800 + 30 * $0)]) }),
                    "descriptor": .b(FaceRecord.encode(descriptor)), "version": .s(version),
                    "thumbnail": .s(StorageLayout.faceThumbnailKey(for: key, version: version, index: index)),
                    StorageLayout.unindexedAttribute: pk,
                ]
                records.append(FaceRecord(item: face)!)
            }
        }
        return Album(name: name, images: images, faces: records, selfie: centres[0].map { $0 + gaussian(0.022) })
    }
}
