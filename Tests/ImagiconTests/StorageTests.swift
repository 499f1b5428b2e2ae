import AWSCore
import DynamoDB
import ExifKit
import FaceKit
import ImageKit
import Testing

@testable import Imagicon

@Suite("Storage contract: albums, keys and items")
struct StorageTests {
    @Test func albumsAndKeys() throws {
        #expect(StorageLayout.album(ofKey: "weddings/2026/IMG_1.jpg") == "weddings/2026")
        #expect(StorageLayout.album(ofKey: "IMG_1.jpg") == "")
        #expect(StorageLayout.album(ofKey: "a/b/") == "a/b")
        let size = try #require(ThumbnailSize("300x300c"))
        let version = S3Sequencer.version("0062E99A88DC407460")
        let thumbnail = StorageLayout.thumbnailKey(for: "a/b.jpg", size: size, version: version, format: .jpeg)
        #expect(thumbnail == "thumbnails/300x300c/a/b.jpg/0062E99A88DC40746.jpg")
        #expect(
            StorageLayout.thumbnailKey(for: "a/b.jpg", size: size, version: nil, format: .png)
                == "thumbnails/300x300c/a/b.jpg/unversioned.png")
        #expect(StorageLayout.isThumbnailKey(thumbnail, of: "a/b.jpg"))
        #expect(StorageLayout.isThumbnailKey("thumbnails/300x300c/a/b.jpg", of: "a/b.jpg")) // the layout before versions
        #expect(!StorageLayout.isThumbnailKey(thumbnail, of: "b.jpg"))
        #expect(!StorageLayout.isThumbnailKey("thumbnails/300x300c/x/a/b.jpg/0A.jpg", of: "a/b.jpg"))
        #expect(!StorageLayout.isThumbnailKey("thumbnails/300x300c/a/b.jpg/c/0A.jpg", of: "a/b.jpg"))
        #expect(StorageLayout.isThumbnailKey("thumbnails/200x200/a.jpg"))
        #expect(!StorageLayout.isThumbnailKey("my thumbnails/a.jpg"))
        #expect(StorageLayout.isNotAlbumPhoto("sessions/abc/selfie.jpg"))
        #expect(!StorageLayout.isNotAlbumPhoto("albums/sessions/a.jpg"))
        // A combining accent after the slash joins it in one Swift character; S3 sees the same bytes.
        #expect(!"sessions/\u{301}x.jpg".hasPrefix("sessions/"))
        #expect(StorageLayout.isNotAlbumPhoto("sessions/\u{301}x.jpg"))
        #expect(StorageLayout.isThumbnailKey("thumbnails/\u{301}x.jpg"))
        #expect(throws: ConvertError.self) { try ConvertKey.decode(rawPath: "/sessions/%CC%81x.jpg") }
        #expect(StorageLayout.faceSortKey(key: "a/b.jpg", index: 3) == "FACE#a/b.jpg#3")
    }

    @Test func descriptorBytesAreLittleEndianFloat32() {
        let descriptor: [Float] = [1, -2.5, 0.125]
        let bytes = FaceRecord.encode(descriptor)
        #expect(bytes == [0, 0, 0x80, 0x3F, 0, 0, 0x20, 0xC0, 0, 0, 0, 0x3E])
        #expect(FaceRecord.decode(bytes) == descriptor)
        #expect(FaceRecord.decode([1, 2, 3]) == nil)
    }

    @Test func faceItemShape() {
        let face = FaceRecord(
            album: "a", key: "a/b.jpg", index: 1, box: FaceRect(left: -3, top: 4, right: 100, bottom: 120),
            confidence: 1.25, landmarks: Array(repeating: [10, 20], count: 5), descriptor: Array(repeating: 0.5, count: 128))
        let item = face.item
        #expect(item["PK"] == .s("ALBUM#a"))
        #expect(item["SK"] == .s("FACE#a/b.jpg#1"))
        #expect(item["index"] == .n("1"))
        #expect(item["box"]?.mapValue?["left"] == .n("-3"))
        #expect(item["landmarks"]?.listValue?.count == 5)
        #expect(item["descriptor"]?.bytesValue?.count == 512)
    }

    @Test func failedImageItemShape() {
        let object = ObjectIdentity(bucket: "up", key: "x/y.jpg", size: 12, etag: "abc", sequencer: "0A")
        let item = ImageRecord.failed(object, error: "not an image").item
        #expect(item["PK"] == .s("ALBUM#x"))
        #expect(item["SK"] == .s("IMAGE#x/y.jpg"))
        #expect(item["status"] == .s("failed"))
        #expect(item["error"] == .s("not an image"))
        #expect(item["faceCount"] == .n("0"))
        #expect(item["thumbnails"] == .l([]))
        #expect(item["width"] == nil)
        #expect(item["processedAt"]?.stringValue?.hasSuffix("Z") == true)
    }

    @Test func thumbnailKeysOfEveryValidKeyFitS3() throws {
        let size = try #require(ThumbnailSize("1024x1024c"))
        let longest = "a/" + String(repeating: "\u{10348}", count: 255) + "xx" // 1,024 bytes
        #expect(longest.utf8.count == 1024)
        let version = S3Sequencer.version(String(repeating: "F", count: 40))
        let key = StorageLayout.thumbnailKey(for: longest, size: size, version: version, format: .png)
        #expect(key.utf8.count <= StorageLayout.maxS3KeyBytes)
        #expect(key.hasPrefix("thumbnails/1024x1024c/~"))
        #expect(StorageLayout.isThumbnailKey(key, of: longest))
        let short = "a/" + String(repeating: "x", count: 900)
        #expect(StorageLayout.thumbnailKey(for: short, size: size, version: version, format: .jpeg).contains(short))
    }

    @Test func faceThumbnailKeysAreVersionedAndFitS3() throws {
        let version = S3Sequencer.version("0062E99A88DC407460")
        #expect(
            StorageLayout.faceThumbnailKey(for: "a/b.jpg", version: version, index: 2) == "thumbnails/faces/a/b.jpg/0062E99A88DC40746/2.jpg"
        )
        #expect(StorageLayout.faceThumbnailKey(for: "b.jpg", version: nil, index: 0) == "thumbnails/faces/b.jpg/unversioned/0.jpg")
        let longest = "a/" + String(repeating: "\u{10348}", count: 255) + "xx" // 1,024 bytes
        let longestVersion = S3Sequencer.version(String(repeating: "F", count: 40))
        let hashed = StorageLayout.faceThumbnailKey(for: longest, version: longestVersion, index: 9999)
        #expect(hashed.utf8.count <= StorageLayout.maxS3KeyBytes)
        #expect(hashed.hasPrefix("thumbnails/faces/~" + Digests.sha256Hex(Array(longest.utf8)) + "/"))
        let short = "a/" + String(repeating: "x", count: 900)
        #expect(StorageLayout.faceThumbnailKey(for: short, version: longestVersion, index: 9999).contains(short))
        // Never taken for a size thumbnail of the key (those are listed on the image item).
        #expect(!StorageLayout.isThumbnailKey(StorageLayout.faceThumbnailKey(for: "a/b.jpg", version: version, index: 0), of: "a/b.jpg"))
    }

    @Test func faceCropIsASquareAroundTheFaceInsideTheImage() {
        // A 100x100 face in the middle: 140 px square centred on it.
        let middle = ImageAnalyzer.faceCrop(FaceRect(left: 450, top: 250, right: 549, bottom: 349), width: 1000, height: 600)
        #expect(middle == SourceRect(x: 430, y: 230, width: 140, height: 140))
        // At the top-left corner, partly outside: shifted inside.
        let corner = ImageAnalyzer.faceCrop(FaceRect(left: -20, top: -10, right: 79, bottom: 89), width: 1000, height: 600)
        #expect(corner == SourceRect(x: 0, y: 0, width: 140, height: 140))
        // Larger than the image's short side: the whole height.
        let large = ImageAnalyzer.faceCrop(FaceRect(left: 100, top: 0, right: 599, bottom: 599), width: 1000, height: 600)
        #expect(large == SourceRect(x: 50, y: 0, width: 600, height: 600))
    }

    @Test func eventOrdering() {
        let stored: DynamoDBItem = ["sequencer": .s("0062E99A88DC407460"), "etag": .s("e1"), "status": .s("processed")]
        func event(_ sequencer: String?, etag: String? = "e1", kind: ObjectEvent.Kind = .created) -> ObjectEvent {
            ObjectEvent(kind: kind, eventName: "x", bucket: "b", key: "k", eTag: etag, sequencer: sequencer)
        }
        func decide(_ e: ObjectEvent, _ image: DynamoDBItem?, tombstone: String? = nil) -> String {
            switch EventOrdering.decide(event: e, image: image, tombstoneVersion: tombstone) {
            case .apply: "apply"
            case .repeated: "repeated"
            case .superseded: "superseded"
            }
        }
        #expect(decide(event("01"), nil) == "apply")
        #expect(decide(event("0062E99A88DC407460"), stored) == "repeated")
        #expect(decide(event("0062E99A88DC407400"), stored) == "superseded")
        #expect(decide(event("62E99A88DC407461"), stored) == "apply")
        #expect(decide(event(nil), stored) == "repeated")
        #expect(decide(event(nil, etag: "e2"), stored) == "apply")
        #expect(decide(event("0062E99A88DC407400", kind: .removed), stored) == "superseded")
        // A tombstone: older creates are superseded, newer ones apply, the same delete is repeated.
        let deleted = S3Sequencer.version("0062E99A88DC407470")
        #expect(decide(event("0062E99A88DC407465"), nil, tombstone: deleted) == "superseded")
        #expect(decide(event("0062E99A88DC407480"), nil, tombstone: deleted) == "apply")
        #expect(decide(event("0062E99A88DC407470", kind: .removed), nil, tombstone: deleted) == "repeated")
    }

    @Test func recordsAreBoundedWhateverTheMetadataClaims() {
        var exif = PhotoMetadata()
        exif.fNumber = 1e200
        exif.iso = 65_535
        exif.exposureTime = -1
        exif.make = String(repeating: "é", count: 100_000)
        exif.gps = PhotoMetadata.GPS(latitude: 91, longitude: 10)
        exif.orientation = 9
        let bounded = StorageBounds.bounded(exif)
        #expect(bounded.fNumber == nil && bounded.iso == nil && bounded.exposureTime == nil && bounded.orientation == nil)
        #expect(bounded.make?.utf8.count == 1024)
        #expect(bounded.gps == PhotoMetadata.GPS(longitude: 10))
        var plausible = PhotoMetadata()
        plausible.fNumber = 2.8
        plausible.iso = 64.84
        #expect(StorageBounds.bounded(plausible) == plausible)
        #expect(StorageBounds.capped("a\u{1F600}b").utf8.count == 6)
        #expect(StorageBounds.capped(String(repeating: "ab", count: 600) + "\u{1F600}").utf8.count == 1024)
        let failed = ImageRecord.failed(ObjectIdentity(bucket: "b", key: "k", size: 1), error: String(repeating: "x", count: 5000))
        #expect(failed.error?.utf8.count == 1024)
    }

    @Test func faceAwareFocus() {
        let face = AnalyzedFace(box: FaceRect(left: 80, top: 10, right: 99, bottom: 29), confidence: 1, landmarks: [], descriptor: [])
        let whole = ThumbnailSize(width: 100, height: 100, crop: true)!
        let focus = ImageAnalyzer.focus(of: [face], width: 100, height: 100, size: whole)
        #expect(focus.x == 0.9 && focus.y == 0.2)
        #expect(ImageAnalyzer.focus(of: [], width: 100, height: 100, size: whole) == (0.5, 0.5))
    }
}
