import ArgumentParser
import FlyingFox
import Foundation
import SQS

/// `imagicon serve`: the whole stack on one machine — the web app, the `api` function behind a local
/// Function URL, S3 + DynamoDB + SQS (moto by default), and the `process` function fed by the
/// uploads' S3 events through the queue, as on Lambda.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the web app and the api/process functions locally (moto_server S3 + DynamoDB + SQS by default).",
        discussion: """
            When everything is up it prints one JSON line on stdout: {"url","adminToken","album":{"id","ownerUrl"}} \
            (album only with --album); logs go to stderr. Ctrl-C or SIGTERM stops every child process.
            """)

    @Option(help: "Port on 127.0.0.1 (0: any free port).")
    var port: Int = 8080

    @Option(help: "Keep state (moto's recorded requests, the admin token, --album's owner token) in this folder across restarts.")
    var data: String?

    @Option(help: "Create this album (or find the one --data made before).")
    var album: String?

    @Option(help: "Upload the photos of this folder into --album first (only when the album is new) and wait for them.")
    var upload: String?

    @Option(help: "The bootstrap executable (default: the one next to this imagicon).")
    var bootstrap: String?

    @Option(help: "The web app's folder (default: web/ of the repository).")
    var web: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        if upload != nil, album == nil { throw ValidationError("--upload needs --album NAME") }
        if let upload {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: upload, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--upload \(upload) is not a folder")
            }
        }
    }

    func run() async throws {
        let stack = Stack()
        Stack.installSignalHandlers(stack)
        do {
            try await serve(stack)
        } catch {
            await stack.stop()
            throw error
        }
    }

    private func serve(_ stack: Stack) async throws {
        let repository = try Self.repositoryRoot()
        let webRoot = web.map { URL(fileURLWithPath: $0) } ?? repository.appendingPathComponent("web")
        guard FileManager.default.fileExists(atPath: webRoot.appendingPathComponent("index.html").path) else {
            throw ValidationError("no index.html in \(webRoot.path); pass --web DIR")
        }
        let bootstrapPath = try BootstrapChild.executable(bootstrap)
        let state = try ServeState(directory: data.map { URL(fileURLWithPath: $0) })
        let aws = try await LocalAWS.start(repository: repository, dataDirectory: state.directory)
        await stack.set(aws: aws)
        try await aws.provision()

        var environment = aws.environment
        environment["IMAGICON_TABLE"] = LocalAWS.table
        environment["IMAGICON_SOURCE_BUCKET"] = LocalAWS.uploadsBucket
        environment["IMAGICON_THUMBNAIL_BUCKET"] = LocalAWS.thumbnailBucket
        environment["IMAGICON_ADMIN_TOKEN_SHA256"] = state.adminTokenSHA256
        let models = repository.appendingPathComponent("models")
        if ProcessInfo.processInfo.environment["IMAGICON_MODELS_DIR"] == nil, FileManager.default.fileExists(atPath: models.path) {
            environment["IMAGICON_MODELS_DIR"] = models.path
        }
        var apiEnvironment = environment
        apiEnvironment["_HANDLER"] = "api"
        var processEnvironment = environment
        processEnvironment["_HANDLER"] = "process"
        let api = FunctionHost(bootstrapPath: bootstrapPath, timeout: 30, functionName: "imagicon-api", environment: apiEnvironment)
        let process = FunctionHost(
            bootstrapPath: bootstrapPath, timeout: 300, functionName: "imagicon-process", environment: processEnvironment)
        var peopleEnvironment = environment
        peopleEnvironment["_HANDLER"] = "people"
        let people = FunctionHost(
            bootstrapPath: bootstrapPath, timeout: 300, functionName: "imagicon-people", environment: peopleEnvironment)
        await stack.set(hosts: [api, process, people])

        let server = HTTPServer(
            address: try .inet(ip4: "127.0.0.1", port: UInt16(port)), timeout: 120, logger: .disabled,
            handler: WebServer(gateway: FunctionURLGateway(host: api), webRoot: webRoot))
        await stack.set(server: server)
        Task { try? await server.run() }
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(_, let boundPort)? = await server.listeningAddress else { throw ServeError("the web server did not start") }
        let url = "http://127.0.0.1:\(boundPort)"
        log("web app and API on \(url)")

        let childEnvironment = aws.childEnvironment
        let sqs = try SQSClient.fromEnvironment(childEnvironment)
        let queueARN = try await sqs.queueAttributes(aws.queueURL, names: ["QueueArn"])["QueueArn"] ?? ""
        let poller = EventPoller(
            sqs: sqs, queueURL: aws.queueURL, queueARN: queueARN, region: childEnvironment["AWS_REGION"] ?? "us-east-1", host: process,
            people: people)
        await stack.set(poller: poller)
        poller.start()

        var ready = ReadyLine(url: url, adminToken: state.adminToken, album: nil)
        if let album {
            let seeder = AlbumSeeder(baseURL: url, adminToken: state.adminToken, state: state)
            let (made, isNew) = try await seeder.album(named: album)
            if let upload, isNew {
                let count = try await seeder.upload(URL(fileURLWithPath: upload), to: made)
                log("uploaded \(count) photo(s) into \(album); waiting for process")
                try await seeder.waitForProcessing(made, count: count)
            }
            ready.album = .init(id: made.id, ownerUrl: "\(url)/#album=\(made.id)&token=\(made.ownerToken)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try encoder.encode(ready) + Data("\n".utf8))
        log("ready; Ctrl-C stops everything")
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    /// The stdout line that tells scripts and tests where everything is.
    struct ReadyLine: Encodable {
        struct Album: Encodable {
            var id: String
            var ownerUrl: String
        }
        var url: String
        var adminToken: String
        var album: Album?
    }

    /// The repository (for scripts/moto-server, web/ and models/): the working directory or the one the
    /// executable was built in, whichever holds `scripts/moto-server`.
    static func repositoryRoot() throws -> URL {
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent())
        for start in candidates {
            var directory = start.standardizedFileURL
            while directory.path != "/" {
                if FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("scripts/moto-server").path) {
                    return directory
                }
                directory = directory.deletingLastPathComponent()
            }
        }
        throw ValidationError("run imagicon serve inside the Imagicon repository (scripts/moto-server and web/ not found)")
    }

}

/// Everything `serve` started, stopped together on SIGINT/SIGTERM (or when `run` fails).
actor Stack {
    private var aws: LocalAWS?
    private var hosts: [FunctionHost] = []
    private var server: HTTPServer?
    private var poller: EventPoller?

    func set(aws: LocalAWS) { self.aws = aws }
    func set(hosts: [FunctionHost]) { self.hosts = hosts }
    func set(server: HTTPServer) { self.server = server }
    func set(poller: EventPoller) { self.poller = poller }

    func stop() async {
        poller?.stop()
        for host in hosts { await host.stop() }
        await server?.stop(timeout: 2)
        aws?.stop()
    }

    /// SIGINT and SIGTERM stop the stack, then the process.
    nonisolated static func installSignalHandlers(_ stack: Stack) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                log("stopping")
                Task {
                    await stack.stop()
                    exit(0)
                }
            }
            source.resume()
            retainedSignalSources.append(source)
        }
    }
}

/// Signal sources live as long as the process (installed once, before anything else runs).
nonisolated(unsafe) private var retainedSignalSources: [any DispatchSourceSignal] = []
