import Foundation
import Testing

@testable import Imagicon

/// Token, id and file-name rules of the albums API, without AWS.
@Suite("api: tokens, ids and safe names")
struct AccessTokenTests {
    @Test func tokensAreAlbumIdDotSecret() throws {
        let id = AlbumID.random()
        #expect(AlbumID.isValid(id) && id.count == 26)
        let tokens = (0..<50).map { _ in AccessToken.make(albumID: id) }
        #expect(Set(tokens).count == 50)
        for token in tokens {
            let parts = token.split(separator: ".")
            #expect(parts.count == 2 && parts[0] == Substring(id) && parts[1].count == 43) // 256 bits, base64url, no padding
            #expect(AccessToken.albumID(of: token) == id)
            #expect(AccessToken.sha256Hex(token).count == 64)
        }
        let refused = [
            "", id, "\(id).", "\(id).short", "\(id).\(String(repeating: "A", count: 44))", "\(id).\(String(repeating: "+", count: 43))",
            "\(id.uppercased()).\(String(repeating: "A", count: 43))", "x.\(String(repeating: "A", count: 43))",
            "\(id).\(String(repeating: "A", count: 43)).x",
        ]
        for token in refused { #expect(AccessToken.albumID(of: token) == nil, "\(token)") }
    }

    @Test func albumIdsAre128RandomBitsInBase32() {
        let ids = (0..<200).map { _ in AlbumID.random() }
        #expect(Set(ids).count == 200)
        #expect(ids.allSatisfy { AlbumID.isValid($0) })
        #expect(AlbumID.base32(Array(repeating: 0xFF, count: 16)) == String(repeating: "7", count: 25) + "4")
        #expect(AlbumID.base32([0, 0, 0, 0, 0]) == "aaaaaaaa")
        for bad in [
            "", "..", "ALBUM", String(repeating: "a", count: 25), String(repeating: "1", count: 26),
            "é" + String(repeating: "a", count: 25),
        ] {
            #expect(!AlbumID.isValid(bad), "\(bad)")
        }
    }

    @Test func constantTimeEqualIsEquality() {
        #expect(AccessToken.constantTimeEqual("abc", "abc"))
        #expect(!AccessToken.constantTimeEqual("abc", "abd"))
        #expect(!AccessToken.constantTimeEqual("abc", "abcd"))
        #expect(!AccessToken.constantTimeEqual("", "a"))
    }

    @Test func uploadNamesAndZipEntriesAreSafe() {
        #expect(ApiService.safeFileName("IMG_0001.JPG") == "IMG_0001.JPG")
        #expect(ApiService.safeFileName("../../etc/passwd") == "passwd")
        #expect(ApiService.safeFileName("C:\\photos\\a b.jpg") == "a_b.jpg")
        #expect(ApiService.safeFileName(".hidden") == "hidden")
        #expect(ApiService.safeFileName("/") == "photo")
        #expect(ApiService.safeFileName(String(repeating: "x", count: 300) + ".jpg").count == 100)
        #expect(ZipWriter.safeName("../../evil.jpg") == "evil.jpg")
        #expect(ZipWriter.safeName("/abs/path.jpg") == "abs_path.jpg")
        #expect(ZipWriter.safeName("..\\..\\win.jpg") == "win.jpg")
        #expect(ZipWriter.safeName("a\u{0}b.jpg") == "ab.jpg")
        #expect(ZipWriter.safeName("..") == "file")
    }
}
