import DynamoDB
import ExifKit
import FaceKit
import Testing

@testable import Imagicon

@Suite("TableReader: typed records back from items, faces joined on version")
struct TableReaderTests {
    static func face(_ key: String, _ index: Int, version: String?) -> FaceRecord {
        FaceRecord(
            album: StorageLayout.album(ofKey: key), key: key, index: index, box: FaceRect(left: 1, top: 2, right: 30, bottom: 40),
            confidence: 0.5, landmarks: Array(repeating: [1.5, 2], count: 5), descriptor: Array(repeating: 0.25, count: 128),
            version: version)
    }

    static func image(_ key: String, sequencer: String?, faces: Int = 1, status: ImageRecord.Status = .processed) -> ImageRecord {
        let object = ObjectIdentity(bucket: "up", key: key, size: 10, etag: "e", sequencer: sequencer)
        var record = ImageRecord.failed(object, error: "x")
        record.status = status
        record.error = status == .failed ? "x" : nil
        record.faceCount = faces
        record.width = 640
        record.height = 480
        var exif = PhotoMetadata()
        exif.make = "Canon"
        exif.iso = 200
        exif.fNumber = 2.8
        record.exif = exif
        record.thumbnails = [.init(key: "thumbnails/200x200/\(key)", width: 200, height: 150, bytes: 99)]
        return record
    }

    @Test func recordsRoundTripThroughItems() throws {
        let image = Self.image("a/b.jpg", sequencer: "0062E99A88DC407460")
        #expect(image.version == S3Sequencer.version("0062E99A88DC407460"))
        #expect(image.item["version"] == .s(image.version!))
        #expect(ImageRecord(item: image.item) == image)
        let face = Self.face("a/b.jpg", 2, version: image.version)
        #expect(FaceRecord(item: face.item) == face)
        // Malformed items are refused, not trusted.
        var bad = image.item
        bad["status"] = .s("deleted")
        #expect(ImageRecord(item: bad) == nil)
        bad = image.item
        bad["SK"] = .s("IMAGE#a/other.jpg")
        #expect(ImageRecord(item: bad) == nil)
        var badFace = face.item
        badFace["descriptor"] = .b([1, 2, 3])
        #expect(FaceRecord(item: badFace) == nil)
    }

    @Test func longKeysAreHashedInSortKeysOnly() throws {
        let key = "a/" + String(repeating: "é", count: 600) // 1,202 bytes: over DynamoDB's 1,024-byte sort key
        let image = Self.image(key, sequencer: "01")
        let sk = try #require(image.item["SK"]?.stringValue)
        #expect(sk.utf8.count < 100 && sk.hasPrefix("IMAGE#~"))
        #expect(image.item["key"] == .s(key))
        #expect(ImageRecord(item: image.item)?.key == key)
        let face = Self.face(key, 7, version: image.version)
        #expect(try #require(face.item["SK"]?.stringValue).utf8.count < 100)
        #expect(FaceRecord(item: face.item) == face)
        let short = "a/" + String(repeating: "x", count: 998)
        #expect(StorageLayout.imageSortKey(key: short) == "IMAGE#" + short)
        #expect(StorageLayout.faceSortKey(key: short, index: 99_999).utf8.count <= 1024)
    }

    @Test func facesCountOnlyForTheImageVersion() {
        let current = Self.image("a/1.jpg", sequencer: "0B")
        let items: [DynamoDBItem] = [
            current.item,
            Self.face("a/1.jpg", 0, version: current.version).item,
            Self.face("a/1.jpg", 1, version: S3Sequencer.version("0A")).item, // an older upload's face
            Self.face("a/1.jpg", 2, version: S3Sequencer.version("0C")).item, // a newer upload still being written
            Self.image("a/2.jpg", sequencer: nil, status: .failed).item,
            Self.face("a/2.jpg", 0, version: nil).item, // its image failed
            Self.image("a/3.jpg", sequencer: nil).item,
            Self.face("a/3.jpg", 0, version: nil).item, // records without versions still join
            Self.face("a/4.jpg", 0, version: nil).item, // no image item yet
            Self.face("b/5.jpg", 0, version: nil).item, // another album's key
        ]
        let contents = TableReader.AlbumContents(items: items, album: "a")
        #expect(contents.images.keys.sorted() == ["a/1.jpg", "a/3.jpg"])
        #expect(contents.faces.map { "\($0.key)#\($0.index)" } == ["a/1.jpg#0", "a/3.jpg#0"])
        #expect(contents.itemCount == items.count)
    }

    @Test func cursorsRoundTripAndForeignOnesAreRefused() throws {
        let cursor = TableReader.ImageCursor(sortKey: "IMAGE#a/ü?+/=.jpg")
        let parsed = try #require(TableReader.ImageCursor(cursor.string))
        #expect(parsed == cursor)
        #expect(!cursor.string.contains("+") && !cursor.string.contains("/") && !cursor.string.contains("="))
        #expect(TableReader.ImageCursor("not base64!") == nil)
        #expect(TableReader.ImageCursor(TableReader.ImageCursor(sortKey: "FACE#a#0").string) == nil)
        #expect(TableReader.ImageCursor(String(repeating: "A", count: 5000)) == nil)
    }
}
