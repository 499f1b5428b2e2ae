import ArgumentParser
import DynamoDB
import Foundation
import Imagicon

/// `imagicon album create NAME` / `imagicon album share ID --scope view|findme`: the albums API's
/// admin actions for operators, with AWS credentials instead of the admin token (IMAGICON_TABLE and
/// AWS_* from the environment). Prints the token (shown once, only its hash is stored) and, with
/// `--url` or IMAGICON_APP_URL, the web app's link (`<url>/#album=ID&token=T`).
struct AlbumCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "album", abstract: "Create albums and share links (IMAGICON_TABLE, AWS_* from the environment).",
        subcommands: [Create.self, Share.self])

    struct Options: ParsableArguments {
        @Option(help: "The web app's address for the printed link (default: IMAGICON_APP_URL).")
        var url: String?

        /// The album store of the environment's table.
        func store() throws -> AlbumStore {
            let environment = ProcessInfo.processInfo.environment
            guard let table = environment["IMAGICON_TABLE"], !table.isEmpty else {
                throw ValidationError("set IMAGICON_TABLE (and AWS_* as for the functions)")
            }
            return AlbumStore(dynamo: try DynamoDBClient.fromEnvironment(environment), table: table)
        }

        /// `<url>/#album=ID&token=T[&scope=findme]`, or nil without a URL.
        func link(album: String, token: String, scope: ShareScope? = nil) -> String? {
            guard let base = url ?? ProcessInfo.processInfo.environment["IMAGICON_APP_URL"], !base.isEmpty else { return nil }
            let root = base.hasSuffix("/") ? String(base.dropLast()) : base
            return "\(root)/#album=\(album)&token=\(token)" + (scope == .findme ? "&scope=findme" : "")
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an album; prints it and its owner token.")

        @Argument(help: "The album's name.")
        var name: String

        @OptionGroup var options: Options

        func run() async throws {
            guard let trimmed = Album.validName(name) else {
                throw ValidationError("the name must be 1 to 200 characters without control characters")
            }
            let (album, token) = try await options.store().createAlbum(name: trimmed, now: Date())
            struct Output: Encodable {
                var album: Album
                var ownerToken: String
                var link: String?
            }
            try AlbumCommand.print(Output(album: album, ownerToken: token, link: options.link(album: album.id, token: token)))
        }
    }

    struct Share: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Share an album; prints the share and its token.")

        @Argument(help: "The album id.")
        var id: String

        @Option(help: "view (browse and find me) or findme (find me only).")
        var scope: String = "view"

        @Option(help: "Days until the link expires (at most 365).")
        var days: Double = 30

        @OptionGroup var options: Options

        func run() async throws {
            guard let scope = ShareScope(rawValue: scope) else { throw ValidationError("--scope must be view or findme") }
            guard days > 0, days <= 365 else { throw ValidationError("--days must be more than 0 and at most 365") }
            let store = try options.store()
            guard AlbumID.isValid(id), try await store.album(id: id) != nil else {
                throw ValidationError("no album has the id '\(id)'")
            }
            let now = Date()
            let (share, token) = try await store.createShare(
                albumID: id, scope: scope, now: now, expiresAt: now.addingTimeInterval(days * 86_400))
            struct Output: Encodable {
                var shareId: String
                var scope: String
                var expiresAt: String
                var token: String
                var link: String?
            }
            try AlbumCommand.print(
                Output(
                    shareId: share.shareId, scope: scope.rawValue, expiresAt: share.expiresAt, token: token,
                    link: options.link(album: id, token: token, scope: scope)))
        }
    }

    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try encoder.encode(value))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
