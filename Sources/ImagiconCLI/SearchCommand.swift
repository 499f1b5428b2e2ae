import ArgumentParser
import Foundation
import Imagicon

/// `imagicon search --album A SELFIE...`: the `search` function from the terminal, against the table
/// and buckets of the environment (the same variables as the function). Prints the function's 200 body,
/// or its `{"error","code"}` body with a one-line reason on stderr and exit status 1.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find an album's photos of the person in a selfie (IMAGICON_TABLE, AWS_* from the environment).")

    @Option(help: "The album (a key's parent path; \"\" for top-level keys).")
    var album: String

    @Argument(help: "Selfie files (JPEG, PNG, WebP, HEIC or AVIF), all of the same person.")
    var selfies: [String]

    @Option(help: "Largest descriptor distance that matches (default: IMAGICON_FACE_THRESHOLD, else 0.6).")
    var threshold: Double?

    @Option(help: "Most matches returned.")
    var limit: Int?

    @Flag(help: "Also write a ZIP of the matched originals to S3 and print its URL.")
    var zip = false

    func validate() throws {
        guard !selfies.isEmpty else { throw ValidationError("give at least one selfie file") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let limits = SearchRequest.Limits()
        let service: SearchService
        let configuration: Configuration
        do {
            configuration = try Configuration(environment: environment.merging(["_HANDLER": "search"]) { $1 })
            try configuration.validateForHandler()
            service = try SearchService.make(configuration, environment: environment)
        } catch {
            FileHandle.standardError.write(Data("imagicon search: \(error)\n".utf8))
            throw ExitCode(2)
        }
        do {
            var images: [SearchRequest.Selfie] = []
            for path in selfies {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw SearchError(.badRequest, "cannot read \(path)")
                }
                images.append(.image(Array(data)))
            }
            let request = SearchRequest(
                album: album, selfies: images, threshold: threshold ?? configuration.faceThreshold,
                limit: limit ?? limits.maxLimit, zip: zip)
            try request.validate(limits: limits)
            var timings = SearchTimings()
            let response = try await service.search(request, timings: &timings)
            FileHandle.standardError.write(
                Data(
                    String(
                        format:
                            "search: %d items, %d faces; selfies %.1f ms, read %.1f ms, compute %.1f ms, respond %.1f ms, zip %.1f ms\n",
                        timings.items, timings.faces, timings.selfiesMs, timings.readMs,
                        timings.computeMs, timings.respondMs, timings.zipMs
                    ).utf8))
            try Self.print(response)
        } catch let error as SearchError {
            try Self.print(HTTPErrorBody(error: error.message, code: error.codeName))
            FileHandle.standardError.write(Data("imagicon search: \(error.code.rawValue): \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        FileHandle.standardOutput.write(try encoder.encode(value))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
