import FaceKit
import Testing

@testable import Imagicon

@Suite("Configuration from the environment")
struct ConfigurationTests {
    let allModels: (String) -> Bool = { _ in true }

    @Test func defaults() throws {
        let c = try Configuration(environment: [:], fileExists: allModels)
        #expect(c.handler == .process)
        #expect(c.region == "us-east-1")
        #expect(c.thumbnailSizes.map(\.description) == ["200x200", "1024x1024"])
        #expect(c.maxPixels == 100_000_000)
        #expect(c.faceThreshold == 0.6)
        #expect(c.modelsDirectory == "/opt/models")
    }

    @Test func modelsDirectoryFallsBackToLocal() throws {
        let c = try Configuration(environment: [:], fileExists: { $0.hasPrefix("./models/") })
        #expect(c.modelsDirectory == "./models")
    }

    @Test func parsesEverything() throws {
        let c = try Configuration(
            environment: [
                "_HANDLER": "search", "AWS_REGION": "eu-west-1", "IMAGICON_TABLE": "t", "IMAGICON_THUMBNAIL_SIZES": "320x240c, 64x64",
                "IMAGICON_MAX_PIXELS": "5000", "IMAGICON_FACE_THRESHOLD": "0.5", "IMAGICON_MODELS_DIR": "/m", "IMAGICON_SOURCE_BUCKET": "b",
                "IMAGICON_FACE_SEARCH": "two-pass",
            ], fileExists: allModels)
        #expect(c.handler == .search)
        #expect(c.region == "eu-west-1")
        #expect(c.thumbnailSizes.map(\.description) == ["320x240c", "64x64"])
        #expect(c.maxPixels == 5000)
        #expect(c.faceThreshold == 0.5)
        #expect(c.modelsDirectory == "/m")
        #expect(c.sourceBucket == "b")
        #expect(c.faceSearch == ProposalSearch())
    }

    /// The detector covers the whole pyramid unless `IMAGICON_FACE_SEARCH` asks for the two-pass search.
    @Test func faceSearchDefaultsToTheWholePyramid() throws {
        #expect(try Configuration(environment: [:], fileExists: allModels).faceSearch == nil)
        #expect(try Configuration(environment: ["IMAGICON_FACE_SEARCH": "whole"], fileExists: allModels).faceSearch == nil)
        let learned = try Configuration(environment: ["IMAGICON_FACE_SEARCH": "learned"], fileExists: allModels).faceSearch
        #expect(learned == ProposalSearch.learned && learned?.learnedThreshold != nil)
    }

    @Test(arguments: [
        ["_HANDLER": "thumbnails"],
        ["IMAGICON_THUMBNAIL_SIZES": "200"],
        ["IMAGICON_THUMBNAIL_SIZES": "0x10"],
        ["IMAGICON_THUMBNAIL_SIZES": "99999x10"],
        ["IMAGICON_THUMBNAIL_SIZES": ","],
        ["IMAGICON_MAX_PIXELS": "-1"],
        ["IMAGICON_MAX_PIXELS": "lots"],
        ["IMAGICON_FACE_THRESHOLD": "nan"],
        ["IMAGICON_FACE_THRESHOLD": "3"],
        ["IMAGICON_FACE_SEARCH": "fast"],
        ["IMAGICON_FACE_SEARCH": "Two-Pass"],
    ])
    func rejectsBadValues(environment: [String: String]) {
        #expect(throws: ConfigurationError.self) { try Configuration(environment: environment, fileExists: allModels) }
    }

    @Test func handlerNeeds() throws {
        let process = try Configuration(environment: [:], fileExists: allModels)
        let missingTable = try #require(throws: ConfigurationError.self) { try process.validateForHandler(fileExists: allModels) }
        #expect(missingTable.code == .missingValue)

        let withTable = try Configuration(environment: ["IMAGICON_TABLE": "t", "IMAGICON_MODELS_DIR": "/nowhere"], fileExists: allModels)
        let noModels = try #require(throws: ConfigurationError.self) { try withTable.validateForHandler(fileExists: { _ in false }) }
        #expect(noModels.code == .modelsUnavailable)
        #expect(noModels.lambdaErrorType == "Runtime.ModelsUnavailable")
        #expect(noModels.message.contains("mmod_human_face_detector.dat"))

        let convert = try Configuration(environment: ["_HANDLER": "convert"], fileExists: allModels)
        #expect(throws: ConfigurationError.self) { try convert.validateForHandler(fileExists: allModels) }
    }

    @Test func unknownHandlerIsAnInitErrorType() {
        let error = #expect(throws: ConfigurationError.self) { try HandlerFactory.make(environment: ["_HANDLER": "nope"]) }
        #expect(error?.lambdaErrorType == "Runtime.UnknownHandler")
        let diagnostics = #expect(throws: ConfigurationError.self) { try HandlerFactory.make(environment: ["_HANDLER": "diagnostics"]) }
        #expect(diagnostics?.code == .unknownHandler)
    }

    @Test("glibc takes the malloc settings (mallopt found, both parameters accepted)")
    func mallocTuningIsAccepted() {
        #expect(MallocTuning.configure())
    }
}
