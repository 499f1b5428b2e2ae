import DynamoDB
import FaceKit
import Testing

@testable import Imagicon

@Suite("search: ranking")
struct SearchRankingTests {
    /// A descriptor that is `x` along axis `axis` (distances are then easy to read).
    static func vector(_ axis: Int, _ x: Float = 1) -> [Float] {
        var v = [Float](repeating: 0, count: 128)
        v[axis] = x
        return v
    }

    static func face(_ key: String, _ index: Int, _ descriptor: [Float]) -> AlbumFace {
        AlbumFace(key: key, index: index, box: FaceRect(left: index, top: 0, right: index + 10, bottom: 10), descriptor: descriptor)
    }

    @Test func distanceIsEuclidean() {
        #expect(SearchRanking.distance(Self.vector(0, 3), Self.vector(1, 4)) == 5)
        #expect(SearchRanking.distance(Self.vector(0), Self.vector(0)) == 0)
        #expect(SearchRanking.distance([1, 2], [1, 2, 3]) == .infinity)
        #expect(SearchRanking.distance([], []) == .infinity)
    }

    @Test func bestFaceAndBestSelfiePerPhotoThresholdSortAndLimit() {
        let me = Self.vector(0)
        let meToo = Self.vector(1) // a second selfie of the same person, at another angle
        let faces = [
            Self.face("a/1.jpg", 0, Self.vector(2)), // stranger: distance sqrt(2) to both selfies
            Self.face("a/1.jpg", 1, Self.vector(0, 0.7)), // 0.3 from `me`
            Self.face("a/2.jpg", 0, Self.vector(1, 0.9)), // 0.1 from `meToo`
            Self.face("a/3.jpg", 0, Self.vector(0, 0.5)), // 0.5
            Self.face("a/4.jpg", 0, Self.vector(3)), // stranger only
            Self.face("a/5.jpg", 0, Self.vector(0, 0.5)), // 0.5, ties with a/3.jpg: key order
            Self.face("a/6.jpg", 0, [1, 2]), // corrupt length never matches
        ]
        let ranked = SearchRanking.rank(faces: faces, selfies: [me, meToo], threshold: 0.6, limit: 10)
        #expect(ranked.map(\.key) == ["a/2.jpg", "a/1.jpg", "a/3.jpg", "a/5.jpg"])
        #expect(abs(ranked[0].distance - 0.1) < 1e-6)
        #expect(abs(ranked[1].distance - 0.3) < 1e-6)
        #expect(ranked[1].box.left == 1, "the box is the matching face's, not the stranger's")
        #expect(SearchRanking.rank(faces: faces, selfies: [me, meToo], threshold: 0.6, limit: 2).map(\.key) == ["a/2.jpg", "a/1.jpg"])
        #expect(SearchRanking.rank(faces: faces, selfies: [me], threshold: 0.4, limit: 10).map(\.key) == ["a/1.jpg"])
        #expect(SearchRanking.rank(faces: faces, selfies: [], threshold: 0.6, limit: 10).isEmpty)
    }

    @Test func albumIndexKeepsOnlyProcessedPhotosOfTheAlbum() {
        let descriptor = FaceRecord.encode(Self.vector(0))
        func faceItem(_ key: String, album: String = "a") -> [String: AttributeValue] {
            [
                "PK": .s("ALBUM#\(album)"), "SK": .s("FACE#\(key)#0"), "key": .s(key), "index": .n("0"),
                "box": .m(["left": .n("1"), "top": .n("2"), "right": .n("30"), "bottom": .n("40")]), "descriptor": .b(descriptor),
            ]
        }
        let items: [[String: AttributeValue]] = [
            [
                "PK": .s("ALBUM#a"), "SK": .s("IMAGE#a/1.jpg"), "key": .s("a/1.jpg"), "bucket": .s("up"), "status": .s("processed"),
                "width": .n("640"), "height": .n("480"), "exif": .m(["dateTimeOriginal": .s("2026-01-02T03:04:05")]),
                "thumbnails": .l([
                    .m(["key": .s("thumbnails/200x200/a/1.jpg"), "width": .n("200"), "height": .n("150")]),
                    .m(["key": .s("thumbnails/1024x1024/a/1.jpg"), "width": .n("640"), "height": .n("480")]),
                    .m(["key": .s("thumbnails/9999x9999/other/x.jpg"), "width": .n("9999"), "height": .n("9999")]),
                ]),
            ],
            faceItem("a/1.jpg"),
            ["PK": .s("ALBUM#a"), "SK": .s("IMAGE#a/2.jpg"), "key": .s("a/2.jpg"), "bucket": .s("up"), "status": .s("failed")],
            faceItem("a/2.jpg"), // photo failed: its face is ignored
            faceItem("a/3.jpg"), // no image item yet (half-written): ignored
            faceItem("b/4.jpg"), // a key of another album: ignored
            ["PK": .s("ALBUM#a"), "SK": .s("FACE#a/1.jpg#1"), "key": .s("a/1.jpg"), "index": .n("1"), "descriptor": .b([1, 2, 3])],
        ]
        let index = AlbumIndex(items: items, album: "a")
        #expect(Array(index.photos.keys) == ["a/1.jpg"])
        let photo = index.photos["a/1.jpg"]
        #expect(photo?.largestThumbnailKey == "thumbnails/1024x1024/a/1.jpg")
        #expect(photo?.dateTimeOriginal == "2026-01-02T03:04:05")
        #expect(photo?.width == 640)
        #expect(index.faces.map(\.key) == ["a/1.jpg"])
        #expect(index.faces.first?.box == FaceRect(left: 1, top: 2, right: 30, bottom: 40))
        #expect(index.faces.first?.descriptor == Self.vector(0))
    }
}
