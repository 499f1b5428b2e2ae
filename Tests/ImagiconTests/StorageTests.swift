import DynamoDB
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
        #expect(StorageLayout.thumbnailKey(for: "a/b.jpg", size: size) == "thumbnails/300x300c/a/b.jpg")
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

    @Test func supersededEvents() {
        let stored: DynamoDBItem = ["sequencer": .s("0062E99A88DC407460"), "etag": .s("e1"), "status": .s("processed")]
        func event(_ sequencer: String?, etag: String? = "e1", kind: ObjectEvent.Kind = .created) -> ObjectEvent {
            ObjectEvent(kind: kind, eventName: "x", bucket: "b", key: "k", eTag: etag, sequencer: sequencer)
        }
        #expect(ObjectProcessor.supersededReason(existing: nil, event: event("01")) == nil)
        #expect(ObjectProcessor.supersededReason(existing: stored, event: event("0062E99A88DC407460"))?.hasPrefix("repeated") == true)
        #expect(ObjectProcessor.supersededReason(existing: stored, event: event("0062E99A88DC407400"))?.hasPrefix("older") == true)
        #expect(ObjectProcessor.supersededReason(existing: stored, event: event("62E99A88DC407461")) == nil)
        #expect(ObjectProcessor.supersededReason(existing: stored, event: event(nil))?.hasPrefix("repeated") == true)
        #expect(ObjectProcessor.supersededReason(existing: stored, event: event(nil, etag: "e2")) == nil)
        #expect(
            ObjectProcessor.supersededReason(existing: stored, event: event("0062E99A88DC407400", kind: .removed))?.hasPrefix("older")
                == true)
    }

    @Test func faceAwareFocus() {
        let face = AnalyzedFace(box: FaceRect(left: 80, top: 10, right: 99, bottom: 29), confidence: 1, landmarks: [], descriptor: [])
        let whole = ThumbnailSize(width: 100, height: 100, crop: true)!
        let focus = ImageAnalyzer.focus(of: [face], width: 100, height: 100, size: whole)
        #expect(focus.x == 0.9 && focus.y == 0.2)
        #expect(ImageAnalyzer.focus(of: [], width: 100, height: 100, size: whole) == (0.5, 0.5))
    }
}
