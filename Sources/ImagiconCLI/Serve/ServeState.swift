import AWSCore
import Foundation

/// What `serve` keeps between runs in `--data DIR` (nothing without it): the admin token and the
/// albums `--album` made, next to moto's recorded state.
final class ServeState: @unchecked Sendable {
    let directory: URL?
    /// The operator's token: random, 256 bits, base64url.
    let adminToken: String
    private(set) var albums: [String: AlbumSeeder.Album]

    init(directory: URL?) throws {
        self.directory = directory
        albums = [:]
        guard let directory else {
            adminToken = Self.newToken()
            return
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let tokenFile = directory.appendingPathComponent("admin-token")
        if let saved = FileManager.default.contents(atPath: tokenFile.path), let text = String(data: saved, encoding: .utf8),
            !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        {
            adminToken = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            adminToken = Self.newToken()
            _ = FileManager.default.createFile(
                atPath: tokenFile.path, contents: Data(adminToken.utf8), attributes: [.posixPermissions: 0o600])
        }
        if let saved = FileManager.default.contents(atPath: directory.appendingPathComponent("albums.json").path) {
            albums = (try? JSONDecoder().decode([String: AlbumSeeder.Album].self, from: saved)) ?? [:]
        }
    }

    /// The hex SHA-256 the `api` function checks the admin token against.
    var adminTokenSHA256: String { Digests.sha256Hex(Array(adminToken.utf8)) }

    func remember(album: AlbumSeeder.Album, as name: String) throws {
        albums[name] = album
        guard let directory else { return }
        let file = directory.appendingPathComponent("albums.json")
        try JSONEncoder().encode(albums).write(to: file, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
    }

    /// 32 random bytes, base64url without padding.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
