import Foundation
import People
import TestSupport
import Testing

@testable import Imagicon

/// Every endpoint of the albums API x every kind of caller, through the real handler in process
/// (moto with signature checks on): each cell's status is asserted, and every refusal is the
/// `{"error","code"}` body with the code of its status. No token appears in the log.
@Suite(
    "api: authorization matrix (in process, moto auth on)", .serialized,
    .enabled(if: MotoServer.available, "needs moto[server] (scripts/setup installs it)"))
final class ApiAuthorizationTests {
    /// The callers, in the matrix's column order.
    enum Caller: String, CaseIterable {
        case none, garbage, admin, owner, otherOwner, view, findme, revoked, expired
    }

    /// One endpoint: how to call it on album A, and the expected status per caller (column order
    /// of ``Caller``).
    struct Endpoint: Sendable {
        var name: String
        var expected: [Int]
        /// The request: fixture, album A's id, the caller's token.
        var request: @Sendable (ApiFixture, String, String?) async throws -> [UInt8]
    }

    /// The matrix: none, garbage, admin, owner, other owner, view, findme, revoked, expired.
    static let endpoints: [Endpoint] = [
        Endpoint(name: "POST /api/albums", expected: [401, 401, 201, 403, 403, 403, 403, 401, 401]) { f, _, t in
            try f.event("POST", "/api/albums", token: t, json: ["name": "New album"])
        },
        Endpoint(name: "GET /api/albums", expected: [401, 401, 200, 403, 403, 403, 403, 401, 401]) { f, _, t in
            try f.event("GET", "/api/albums", token: t)
        },
        Endpoint(name: "GET /api/albums/{id}", expected: [401, 401, 200, 200, 404, 200, 403, 401, 401]) { f, a, t in
            try f.event("GET", "/api/albums/\(a)", token: t)
        },
        Endpoint(name: "PATCH /api/albums/{id}", expected: [401, 401, 200, 403, 404, 403, 403, 401, 401]) { f, a, t in
            try f.event("PATCH", "/api/albums/\(a)", token: t, json: ["name": "A renamed"])
        },
        Endpoint(name: "POST /api/albums/{id}/shares", expected: [401, 401, 201, 201, 404, 403, 403, 401, 401]) { f, a, t in
            try f.event("POST", "/api/albums/\(a)/shares", token: t, json: ["scope": "view", "expiresInDays": 1])
        },
        Endpoint(name: "GET /api/albums/{id}/shares", expected: [401, 401, 200, 200, 404, 403, 403, 401, 401]) { f, a, t in
            try f.event("GET", "/api/albums/\(a)/shares", token: t)
        },
        Endpoint(name: "DELETE /api/albums/{id}/shares/{shareId}", expected: [401, 401, 204, 204, 404, 403, 403, 401, 401]) { f, a, t in
            let share = try await f.store.createShare(albumID: a, scope: .view, now: Date(), expiresAt: Date().addingTimeInterval(3600))
            return try f.event("DELETE", "/api/albums/\(a)/shares/\(share.share.shareId)", token: t)
        },
        Endpoint(name: "POST /api/albums/{id}/uploads", expected: [401, 401, 200, 200, 404, 403, 403, 401, 401]) { f, a, t in
            try f.event(
                "POST", "/api/albums/\(a)/uploads", token: t,
                json: ["files": [["name": "a.jpg", "size": 1000, "contentType": "image/jpeg"]]])
        },
        Endpoint(name: "GET /api/albums/{id}/photos", expected: [401, 401, 200, 200, 404, 200, 403, 401, 401]) { f, a, t in
            try f.event("GET", "/api/albums/\(a)/photos", token: t)
        },
        Endpoint(name: "GET /api/albums/{id}/photos/{photoId}", expected: [401, 401, 200, 200, 404, 200, 403, 401, 401]) { f, a, t in
            try f.event("GET", "/api/albums/\(a)/photos/p1.jpg", token: t)
        },
        Endpoint(name: "DELETE /api/albums/{id}/photos/{photoId}", expected: [401, 401, 204, 204, 404, 403, 403, 401, 401]) { f, a, t in
            try await f.addPhoto(album: a, photoId: "doomed.jpg")
            return try f.event("DELETE", "/api/albums/\(a)/photos/doomed.jpg", token: t)
        },
        Endpoint(name: "GET /api/albums/{id}/photos/{photoId}/convert", expected: [401, 401, 200, 200, 404, 200, 403, 401, 401]) {
            f, a, t in
            try f.event("GET", "/api/albums/\(a)/photos/p1.jpg/convert", query: "w=32&format=webp", token: t)
        },
        Endpoint(name: "POST /api/albums/{id}/find", expected: [401, 401, 200, 200, 404, 200, 200, 401, 401]) { f, a, t in
            try f.event("POST", "/api/albums/\(a)/find", token: t, body: ApiFixture.selfie, contentType: "image/jpeg")
        },
        Endpoint(name: "POST /api/albums/{id}/zip", expected: [401, 401, 200, 200, 404, 200, 403, 401, 401]) { f, a, t in
            try f.event("POST", "/api/albums/\(a)/zip", token: t, json: ["photoIds": ["p1.jpg"]])
        },
        Endpoint(name: "GET /api/albums/{id}/people", expected: [401, 401, 200, 200, 404, 200, 403, 401, 401]) { f, a, t in
            try f.event("GET", "/api/albums/\(a)/people", token: t)
        },
        Endpoint(name: "GET /api/albums/{id}/people?hidden=true", expected: [401, 401, 200, 200, 404, 403, 403, 401, 401]) { f, a, t in
            try f.event("GET", "/api/albums/\(a)/people", query: "hidden=true", token: t)
        },
        Endpoint(name: "GET /api/albums/{id}/people/{personId}", expected: [401, 401, 200, 200, 404, 200, 403, 401, 401]) { f, a, t in
            try f.event("GET", "/api/albums/\(a)/people/1", token: t)
        },
        Endpoint(name: "PATCH /api/albums/{id}/people/{personId}", expected: [401, 401, 200, 200, 404, 403, 403, 401, 401]) { f, a, t in
            try f.event("PATCH", "/api/albums/\(a)/people/1", token: t, json: ["name": "Pat"])
        },
        Endpoint(name: "POST /api/albums/{id}/people/{personId}/merge", expected: [401, 401, 200, 200, 404, 403, 403, 401, 401]) {
            f, a, t in
            // Two fresh people per call, so each allowed caller merges its own pair.
            var ids: [Int] = []
            _ = try await f.peopleStore.edit(album: Album.storageAlbum(id: a)) { state in
                ids = [state.nextID, state.nextID + 1]
                state.people += ids.map { Person(id: $0, faces: ["\(Album.storageAlbum(id: a))/x\($0).jpg#0@"]) }
                state.nextID += 2
            }
            return try f.event("POST", "/api/albums/\(a)/people/\(ids[0])/merge", token: t, json: ["into": String(ids[1])])
        },
        Endpoint(name: "GET /api/albums/{id}/people/{personId}/photos", expected: [401, 401, 200, 200, 404, 200, 403, 401, 401]) {
            f, a, t in
            try f.event("GET", "/api/albums/\(a)/people/1/photos", token: t)
        },
    ]

    static let codes = [401: "Unauthorized", 403: "Forbidden", 404: "NotFound"]

    let fixture: ApiFixture
    init() async throws { fixture = try await ApiFixture() }

    @Test("every endpoint x {no token, garbage, admin, owner, other album's owner, view, findme, revoked, expired}")
    func matrix() async throws {
        let f = fixture
        let (albumA, ownerA) = try await f.store.createAlbum(name: "A", now: Date())
        let (_, ownerB) = try await f.store.createAlbum(name: "B", now: Date())
        let later = Date().addingTimeInterval(86_400)
        let view = try await f.store.createShare(albumID: albumA.id, scope: .view, now: Date(), expiresAt: later).token
        let findme = try await f.store.createShare(albumID: albumA.id, scope: .findme, now: Date(), expiresAt: later).token
        let revoked = try await f.store.createShare(albumID: albumA.id, scope: .view, now: Date(), expiresAt: later)
        #expect(try await f.store.deleteShare(albumID: albumA.id, shareId: revoked.share.shareId))
        let expired = try await f.store.createShare(
            albumID: albumA.id, scope: .view, now: Date().addingTimeInterval(-7200), expiresAt: Date().addingTimeInterval(-60)
        ).token
        try await f.addPhoto(album: albumA.id, photoId: "p1.jpg", faces: [ApiFixture.faceDescriptor])
        try await f.addPhoto(album: albumA.id, photoId: "p2.jpg", faces: [ApiFixture.faceDescriptor])
        #expect(try await f.peopleJob.run(album: albumA.storageAlbum).people == 1) // person 1: p1 and p2

        let tokens: [Caller: String?] = [
            .none: nil, .garbage: "\(albumA.id).AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", .admin: f.adminToken, .owner: ownerA,
            .otherOwner: ownerB, .view: view, .findme: findme, .revoked: revoked.token, .expired: expired,
        ]
        var table = ["| endpoint | " + Caller.allCases.map(\.rawValue).joined(separator: " | ") + " |"]
        table.append("|---|" + String(repeating: "---|", count: Caller.allCases.count))
        for endpoint in Self.endpoints {
            var row: [String] = []
            for (column, caller) in Caller.allCases.enumerated() {
                let answer = try await f.call(try await endpoint.request(f, albumA.id, tokens[caller]!))
                let want = endpoint.expected[column]
                #expect(answer.status == want, "\(endpoint.name) as \(caller): \(answer.status) \(answer.json)")
                if let code = Self.codes[want] {
                    #expect(answer.json["code"] as? String == code, "\(endpoint.name) as \(caller): \(answer.json)")
                    #expect((answer.json["error"] as? String)?.isEmpty == false)
                }
                if (200..<300).contains(answer.status) {
                    #expect(answer.headers["cache-control"]?.hasPrefix("private") == true, "\(endpoint.name): \(answer.headers)")
                }
                row.append(String(answer.status))
            }
            table.append("| \(endpoint.name) | " + row.joined(separator: " | ") + " |")
        }
        print(table.joined(separator: "\n"))

        // Tokens (and their hashes' inputs) never reach the log.
        let log = f.log.text
        #expect(!log.isEmpty)
        for case let token? in tokens.values {
            #expect(!log.contains(token), "a token is in the log")
        }
        #expect(!log.contains(ownerA) && !log.contains(f.adminToken))
    }
}
