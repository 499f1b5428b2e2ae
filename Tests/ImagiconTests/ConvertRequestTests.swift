import FaceKit
import ImageKit
import Testing

@testable import Imagicon

@Suite("convert: parameters and keys")
struct ConvertRequestTests {
    func parse(_ path: String, _ query: String) throws(ConvertError) -> ConvertRequest {
        try ConvertRequest.parse(rawPath: path, rawQueryString: query)
    }

    func error(_ path: String, _ query: String) -> ConvertError? {
        do {
            _ = try parse(path, query)
            return nil
        } catch {
            return error
        }
    }

    @Test func fullRequest() throws {
        let r = try parse("/weddings/2026/IMG_0001.jpg", "w=1024&h=768&fit=cover&format=webp&q=80")
        #expect(r == ConvertRequest(key: "weddings/2026/IMG_0001.jpg", width: 1024, height: 768, fit: .cover, format: .webp, quality: 80))
        #expect(r.normalizedParameters == "w=1024&h=768&fit=cover&format=webp&q=80")
    }

    @Test func defaultsAndNormalisation() throws {
        let r = try parse("/a.png", "")
        #expect(r.width == nil && r.height == nil && r.fit == .inside && r.format == nil && r.quality == 85)
        #expect(r.normalizedParameters == "w=-&h=-&fit=inside&format=source&q=85")
        // Order, `jpg` and an explicit default do not change the normalised form.
        #expect(
            try parse("/a.png", "format=jpg&w=10").normalizedParameters == parse("/a.png", "q=85&w=10&format=jpeg").normalizedParameters)
        // One side alone: fit does not apply.
        #expect(try parse("/a.png", "w=10&fit=smart").fit == .inside)
        #expect(try parse("/a.png", "format=png").normalizedParameters.hasSuffix("format=png&q=-"))
    }

    @Test func keysArePercentDecodedWithoutPlusAsSpace() throws {
        #expect(try parse("/my%20photos/a+b%C3%A9.jpg", "").key == "my photos/a+bé.jpg")
        #expect(try parse("/a.jpg", "format=we%62p").format == .webp)
    }

    @Test(arguments: [
        "w=0", "w=4097", "w=-1", "w=1.5", "w=abc", "w=", "w=1&w=2", "h=99999999", "q=0", "q=101",
        "fit=fill", "fit=", "format=gif", "format=JPEG", "size=10", "W=10", "format=png&q=80", "w=%zz", "w",
    ])
    func badParameters(query: String) {
        let e = error("/a.jpg", query)
        #expect(e?.code == .badRequest && e?.status == 400, "\(query)")
    }

    @Test(arguments: [
        "", "/", "//a.jpg", "/a//b.jpg", "/a/", "/../a.jpg", "/a/../b.jpg", "/./a.jpg", "/a/%2E%2E/b.jpg",
        "/a%00.jpg", "/a%0Ab.jpg", "/a\\b.jpg", "/%ff.jpg", "/a%2", "a.jpg",
    ])
    func badKeys(path: String) {
        #expect(error(path, "")?.code == .badRequest, "\(path)")
    }

    @Test func longKeysAndForbiddenPrefixes() {
        #expect(error("/" + String(repeating: "a", count: 1025), "")?.code == .badRequest)
        #expect((try? parse("/" + String(repeating: "a", count: 1024), "")) != nil)
        #expect(error("/thumbnails/200x200/a.jpg", "")?.status == 403)
        #expect(error("/sessions/x/selfie.jpg", "")?.code == .forbidden)
        #expect((try? parse("/album/thumbnails/a.jpg", "")) != nil)
    }

    @Test(arguments: [
        ("function-url-convert.json", "w=1024&h=1024&fit=inside&format=webp&q=80"),
        ("function-url-convert-png-cover.json", "w=400&h=400&fit=cover&format=png&q=-"),
        ("function-url-convert-smart.json", "w=600&h=800&fit=smart&format=jpeg&q=90"),
        ("function-url-convert-conditional.json", "w=1024&h=-&fit=inside&format=webp&q=85"),
        ("function-url-convert-head.json", "w=1024&h=-&fit=inside&format=webp&q=85"),
        ("function-url-convert-bad-params.json", "400"),
        ("function-url-convert-bad-key.json", "400"),
    ])
    func eventFixtures(name: String, expected: String) throws {
        let request = try FunctionURLRequest.decode(EventFixtures.bytes(name))
        do {
            let convert = try ConvertRequest.parse(rawPath: request.rawPath, rawQueryString: request.rawQueryString)
            #expect(convert.normalizedParameters == expected)
            #expect(convert.key == "weddings/2026/IMG_0001.jpg")
        } catch {
            #expect(String(error.status) == expected, "\(name): \(error.message)")
        }
    }

    @Test func errorResponseIsJSONWithoutInternals() throws {
        let response = ConvertError.badRequest("Parameter 'w' is bad.").response
        #expect(response.statusCode == 400)
        #expect(response.headers["content-type"] == "application/json")
        let body = try JSONValue.parse(response.body)
        #expect(body["code"] == .string("BadRequest"))
        #expect(body["error"] == .string("Parameter 'w' is bad."))
    }
}

@Suite("convert: geometry")
struct ConvertGeometryTests {
    func output(_ r: ConvertRequest, _ w: Int, _ h: Int) -> (Int, Int) {
        let l = r.box(imageWidth: w, imageHeight: h).layout(imageWidth: w, imageHeight: h)
        return (l.width, l.height)
    }

    @Test func insideFitsAndNeverEnlarges() {
        #expect(output(ConvertRequest(key: "k", width: 1024, height: 1024), 4032, 3024) == (1024, 768))
        #expect(output(ConvertRequest(key: "k", width: 1024, height: 100), 4032, 3024) == (133, 100))
        #expect(output(ConvertRequest(key: "k", width: 4000, height: 4000), 640, 480) == (640, 480))
    }

    @Test func oneSideKeepsTheAspectRatio() {
        #expect(output(ConvertRequest(key: "k", width: 1000), 4032, 3024) == (1000, 750))
        #expect(output(ConvertRequest(key: "k", height: 300), 4032, 3024) == (400, 300))
        #expect(output(ConvertRequest(key: "k", width: 333), 1000, 1) == (333, 1))
        #expect(output(ConvertRequest(key: "k", width: 2000), 640, 480) == (640, 480))
        #expect(output(ConvertRequest(key: "k"), 640, 480) == (640, 480))
    }

    @Test func coverIsExactAndCentred() {
        let r = ConvertRequest(key: "k", width: 300, height: 300, fit: .cover)
        let l = r.box(imageWidth: 4000, imageHeight: 3000).layout(imageWidth: 4000, imageHeight: 3000)
        #expect(l.width == 300 && l.height == 300)
        #expect(l.rect == SourceRect(x: 500, y: 0, width: 3000, height: 3000))
        // Cover enlarges small sources to the exact box.
        #expect(output(ConvertRequest(key: "k", width: 800, height: 200, fit: .cover), 100, 100) == (800, 200))
    }

    @Test func smartCropKeepsAllFacesWhenTheyFit() throws {
        let faces = [
            SmartCrop.Face(left: 100, top: 100, right: 199, bottom: 199, confidence: 1.0),
            SmartCrop.Face(left: 600, top: 150, right: 679, bottom: 229, confidence: 0.5),
        ]
        // A 2000x1000 image, crop of 1000x1000 (square): both faces fit.
        let box = ThumbnailSize(width: 200, height: 200, crop: true)!
        let crop = box.layout(imageWidth: 2000, imageHeight: 1000).rect
        let focus = try #require(
            SmartCrop.focus(faces: faces, imageWidth: 2000, imageHeight: 1000, cropWidth: crop.width, cropHeight: crop.height))
        #expect(focus.kept.count == 2)
        let rect = box.layout(imageWidth: 2000, imageHeight: 1000, focus: (focus.x, focus.y)).rect
        for f in faces { #expect(contains(rect, f)) }
    }

    @Test func smartCropKeepsTheMostConfidentFaceWhenNotAllFit() throws {
        let faces = [
            SmartCrop.Face(left: 100, top: 400, right: 199, bottom: 499, confidence: 0.4),
            SmartCrop.Face(left: 1700, top: 100, right: 1849, bottom: 249, confidence: 1.2),
            SmartCrop.Face(left: 1500, top: 120, right: 1579, bottom: 199, confidence: 0.3),
        ]
        let box = ThumbnailSize(width: 100, height: 200, crop: true)! // crop 500x1000 of 2000x1000
        let crop = box.layout(imageWidth: 2000, imageHeight: 1000).rect
        let focus = try #require(
            SmartCrop.focus(faces: faces, imageWidth: 2000, imageHeight: 1000, cropWidth: crop.width, cropHeight: crop.height))
        #expect(focus.kept == [faces[1], faces[2]])
        let rect = box.layout(imageWidth: 2000, imageHeight: 1000, focus: (focus.x, focus.y)).rect
        #expect(contains(rect, faces[1]) && contains(rect, faces[2]) && !contains(rect, faces[0]))
        // No faces: no focus (centred by the caller). Faces outside the image are clipped away.
        #expect(SmartCrop.focus(faces: [], imageWidth: 10, imageHeight: 10, cropWidth: 5, cropHeight: 5) == nil)
        #expect(
            SmartCrop.focus(
                faces: [SmartCrop.Face(left: 20, top: 20, right: 30, bottom: 30, confidence: 1)],
                imageWidth: 10, imageHeight: 10, cropWidth: 5, cropHeight: 5) == nil)
    }

    @Test func croppedThumbnailsUseTheSameSmartCrop() {
        func face(_ l: Int, _ t: Int, _ size: Int, _ confidence: Double) -> AnalyzedFace {
            AnalyzedFace(
                box: FaceRect(left: l, top: t, right: l + size - 1, bottom: t + size - 1), confidence: confidence, landmarks: [],
                descriptor: [])
        }
        let faces = [face(100, 400, 100, 0.4), face(1700, 100, 150, 1.2)]
        // 100x200c of 2000x1000 crops 500x1000: both faces cannot fit, the confident one is kept (centre x = 1775).
        let narrow = ImageAnalyzer.focus(of: faces, width: 2000, height: 1000, size: ThumbnailSize(width: 100, height: 200, crop: true)!)
        #expect(narrow.x == 1775.0 / 2000)
        // 400x100c crops 2000x500: both fit, the centre is their union's.
        let wide = ImageAnalyzer.focus(of: faces, width: 2000, height: 1000, size: ThumbnailSize(width: 400, height: 100, crop: true)!)
        #expect(wide.x == (Double(100 + 1849 + 1) / 2) / 2000 && wide.y == (Double(100 + 499 + 1) / 2) / 1000)
        #expect(ImageAnalyzer.focus(of: [], width: 10, height: 10, size: ThumbnailSize(width: 5, height: 5, crop: true)!) == (0.5, 0.5))
    }

    func contains(_ r: SourceRect, _ f: SmartCrop.Face) -> Bool {
        f.left >= r.x - 1e-6 && f.top >= r.y - 1e-6 && f.right + 1 <= r.x + r.width + 1e-6 && f.bottom + 1 <= r.y + r.height + 1e-6
    }

    @Test func etagsAreStableAndMatch() {
        let a = ConvertETag.make(sourceETag: "\"abc\"", key: "k", parameters: "w=1")
        #expect(a == ConvertETag.make(sourceETag: "\"abc\"", key: "k", parameters: "w=1"))
        #expect(a != ConvertETag.make(sourceETag: "\"abd\"", key: "k", parameters: "w=1"))
        #expect(a != ConvertETag.make(sourceETag: "\"abc\"", key: "k", parameters: "w=2"))
        #expect(a.hasPrefix("\"") && a.hasSuffix("\"") && a.count == 34)
        #expect(ConvertETag.matches(ifNoneMatch: a, etag: a))
        #expect(ConvertETag.matches(ifNoneMatch: "\"x\", W/\(a)", etag: a))
        #expect(ConvertETag.matches(ifNoneMatch: "*", etag: a))
        #expect(!ConvertETag.matches(ifNoneMatch: "\"x\"", etag: a))
    }
}
