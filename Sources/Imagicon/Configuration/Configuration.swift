import AWSCore
import FaceKit
import ImageKit

/// The function's configuration, read once from the environment (DESIGN.md, "Environment").
public struct Configuration: Sendable, Equatable {
    /// The entry points of the package.
    public enum Handler: String, Sendable, CaseIterable {
        /// S3 upload -> thumbnails, metadata, faces, records.
        case process
        /// Selfie search over an album.
        case search
        /// On-the-fly conversion for downloads.
        case convert
        /// The albums API for browsers: albums, shares, uploads, find me (DESIGN.md, "Albums API").
        case api
        /// Groups an album's faces into people (after uploads settle, or on demand).
        case people
    }

    /// `_HANDLER`.
    public var handler: Handler
    /// `AWS_REGION` (then `AWS_DEFAULT_REGION`).
    public var region: String
    /// `IMAGICON_TABLE`.
    public var table: String?
    /// `IMAGICON_THUMBNAIL_BUCKET` (nil: the source bucket).
    public var thumbnailBucket: String?
    /// `IMAGICON_THUMBNAIL_SIZES`.
    public var thumbnailSizes: [ThumbnailSize]
    /// `IMAGICON_MODELS_DIR`, or the first of `/opt/models`, `./models` that exists.
    public var modelsDirectory: String
    /// `IMAGICON_MAX_PIXELS`.
    public var maxPixels: Int
    /// `IMAGICON_FACE_THRESHOLD`.
    public var faceThreshold: Double
    /// `IMAGICON_FACE_SEARCH`: `whole` (default: the detector on the whole image pyramid, dlib's way) or
    /// `two-pass` (the coarse levels whole, the fine ones only around their proposals; cheaper on photos
    /// whose faces are all large, but misses small faces: see ``ProposalSearch``) or `learned` (two-pass with
    /// the learned proposer for the fine levels, ``ProposalSearch/learned``). nil for `whole`.
    public var faceSearch: ProposalSearch?

    /// The `IMAGICON_FACE_SEARCH` values, for messages.
    public static let faceSearchNames = "'whole', 'two-pass' or 'learned'"

    /// The search an `IMAGICON_FACE_SEARCH` value names: `.some(nil)` for `whole`, nil for an unknown name
    /// (the one parser of these names, shared with `imagicon-bench process --face-search`).
    public static func faceSearch(named name: String) -> ProposalSearch?? {
        switch name {
        case "whole": return .some(nil)
        case "two-pass": return ProposalSearch()
        case "learned": return ProposalSearch.learned
        default: return nil
        }
    }
    /// `IMAGICON_SOURCE_BUCKET`.
    public var sourceBucket: String?
    /// `IMAGICON_ADMIN_TOKEN_SHA256`: lower-case hex SHA-256 of the operator's admin token (`api`).
    public var adminTokenSHA256: String?
    /// `IMAGICON_FAULT_KILL_AT` (honoured only with `IMAGICON_DIAGNOSTICS=1`, for fault-injection
    /// tests): the `process` stage at which the process kills itself with SIGKILL, as Lambda's
    /// timeout or the OOM killer would.
    public var faultKillStage: String?

    /// Reads and validates the configuration; `fileExists` is injectable for tests.
    public init(environment env: [String: String], fileExists: (String) -> Bool = FileSystem.isReadableFile) throws {
        func value(_ name: String) -> String? {
            guard let v = env[name]?.trimmingASCIIWhitespace(), !v.isEmpty else { return nil }
            return v
        }
        let handlerName = value("_HANDLER") ?? "process"
        // Lambda's console default is `bootstrap` / `handler.name`; accept a module prefix such as `imagicon.process`.
        let bare = handlerName.split(separator: ".").last.map(String.init) ?? handlerName
        guard let handler = Handler(rawValue: bare) else {
            throw ConfigurationError(.unknownHandler, "_HANDLER '\(handlerName)' is not one of process, search, convert, api, people")
        }
        self.handler = handler
        self.region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1"
        self.table = value("IMAGICON_TABLE")
        self.thumbnailBucket = value("IMAGICON_THUMBNAIL_BUCKET")
        self.sourceBucket = value("IMAGICON_SOURCE_BUCKET")
        self.faultKillStage = value("IMAGICON_DIAGNOSTICS") == "1" ? value("IMAGICON_FAULT_KILL_AT") : nil
        if let raw = value("IMAGICON_ADMIN_TOKEN_SHA256") {
            let hex = raw.lowercased()
            guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
                throw ConfigurationError(
                    .invalidValue, "IMAGICON_ADMIN_TOKEN_SHA256 must be 64 hex digits (the SHA-256 of the admin token)")
            }
            self.adminTokenSHA256 = hex
        }
        self.thumbnailSizes = try ThumbnailSize.parseList(value("IMAGICON_THUMBNAIL_SIZES") ?? "200x200,1024x1024")

        if let raw = value("IMAGICON_MAX_PIXELS") {
            guard let n = Int(raw), n > 0 else {
                throw ConfigurationError(.invalidValue, "IMAGICON_MAX_PIXELS '\(raw)' must be a positive integer")
            }
            self.maxPixels = n
        } else {
            self.maxPixels = 100_000_000
        }
        if let raw = value("IMAGICON_FACE_THRESHOLD") {
            guard let t = Double(raw), t > 0, t < 2 else {
                throw ConfigurationError(.invalidValue, "IMAGICON_FACE_THRESHOLD '\(raw)' must be a number in (0, 2)")
            }
            self.faceThreshold = t
        } else {
            self.faceThreshold = 0.6
        }
        guard let search = Self.faceSearch(named: value("IMAGICON_FACE_SEARCH") ?? "whole") else {
            throw ConfigurationError(
                .invalidValue, "IMAGICON_FACE_SEARCH '\(value("IMAGICON_FACE_SEARCH") ?? "")' must be \(Self.faceSearchNames)")
        }
        self.faceSearch = search
        self.modelsDirectory = Self.modelsDirectory(explicit: value("IMAGICON_MODELS_DIR"), environment: [:], fileExists: fileExists)
    }

    /// Folders searched for the models when `IMAGICON_MODELS_DIR` is not set: the Lambda layer's, then the checkout's.
    public static let defaultModelsDirectories = ["/opt/models", "./models"]

    /// The models folder: `explicit` (a `--models` option) when given, else `IMAGICON_MODELS_DIR`, else
    /// the first default folder holding every model file, else `/opt/models` (so the error names it).
    public static func modelsDirectory(
        explicit: String?, environment: [String: String], fileExists: (String) -> Bool = FileSystem.isReadableFile
    ) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let variable = environment["IMAGICON_MODELS_DIR"], !variable.isEmpty { return variable }
        return defaultModelsDirectories.first { dir in
            FaceAnalyzer.modelFiles.allSatisfy { fileExists("\(dir)/\($0)") }
        } ?? defaultModelsDirectories[0]
    }

    /// Checks what the chosen handler needs before the first invocation, so a broken deployment
    /// fails at init (visible at once) rather than on every event.
    public func validateForHandler(fileExists: (String) -> Bool = FileSystem.isReadableFile) throws {
        switch handler {
        case .process, .search:
            guard table != nil else {
                throw ConfigurationError(.missingValue, "IMAGICON_TABLE must be set for the \(handler.rawValue) handler")
            }
            try validateModels(fileExists: fileExists)
        case .convert:
            guard sourceBucket != nil else {
                throw ConfigurationError(.missingValue, "IMAGICON_SOURCE_BUCKET must be set for the convert handler")
            }
        case .api:
            for (name, value) in [
                ("IMAGICON_TABLE", table), ("IMAGICON_SOURCE_BUCKET", sourceBucket), ("IMAGICON_ADMIN_TOKEN_SHA256", adminTokenSHA256),
            ] where value == nil {
                throw ConfigurationError(.missingValue, "\(name) must be set for the api handler")
            }
            try validateModels(fileExists: fileExists)
        case .people:
            guard table != nil else { throw ConfigurationError(.missingValue, "IMAGICON_TABLE must be set for the people handler") }
            guard peopleBucket != nil else {
                throw ConfigurationError(
                    .missingValue, "IMAGICON_THUMBNAIL_BUCKET (or IMAGICON_SOURCE_BUCKET) must be set for the people handler")
            }
        }
    }

    /// Where the people job keeps its album states: the thumbnail bucket, else the source bucket.
    public var peopleBucket: String? { thumbnailBucket ?? sourceBucket }

    /// Checks that every model file is present in ``modelsDirectory``.
    public func validateModels(fileExists: (String) -> Bool = FileSystem.isReadableFile) throws {
        let missing = FaceAnalyzer.modelFiles.filter { !fileExists("\(modelsDirectory)/\($0)") }
        guard missing.isEmpty else {
            throw ConfigurationError(
                .modelsUnavailable,
                "model files missing in \(modelsDirectory): \(missing.joined(separator: ", ")) (set IMAGICON_MODELS_DIR)")
        }
    }
}
