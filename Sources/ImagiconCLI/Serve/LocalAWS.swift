import AWSCore
import DynamoDB
import Foundation
import Imagicon
import S3
import SQS

/// The AWS services `imagicon serve` runs on: a `moto_server` child (no signature checks, since moto's
/// auth mode answers 500 to a browser's presigned requests) or, when `AWS_ENDPOINT_URL*` is set,
/// whatever those point at. Creates the buckets, table and queue and wires uploads to the queue.
final class LocalAWS: @unchecked Sendable {
    /// Names of what `serve` creates.
    static let uploadsBucket = "imagicon-uploads"
    static let thumbnailBucket = "imagicon-thumbnails"
    static let table = "imagicon"
    static let queue = "imagicon-events"
    static let deadLetterQueue = "imagicon-events-failed"

    /// The environment every child (and our own clients) use: endpoint, credentials, region.
    private(set) var environment: [String: String]
    /// The moto endpoint when we started one.
    private(set) var motoEndpoint: String?
    private var moto: Process?
    private var motoInput: Pipe?
    /// The moto_server process (its own process group), under the script.
    private var motoServerPID: Int32?
    private(set) var queueURL = ""
    /// True when moto's state was replayed from the data directory.
    private(set) var restored = false

    private init(environment: [String: String]) {
        self.environment = environment
    }

    /// Uses `AWS_ENDPOINT_URL*` when set, else starts `scripts/moto-server --no-auth` (recording its
    /// requests into `dataDirectory` and replaying them first, so state survives a restart).
    static func start(repository: URL, dataDirectory: URL?) async throws -> LocalAWS {
        let ours = ProcessInfo.processInfo.environment
        if ours.keys.contains(where: { $0.hasPrefix("AWS_ENDPOINT_URL") }) {
            log("using the AWS endpoints of the environment (AWS_ENDPOINT_URL*)")
            return LocalAWS(environment: [:])
        }
        let aws = LocalAWS(environment: [:])
        try await aws.startMoto(script: repository.appendingPathComponent("scripts/moto-server"), dataDirectory: dataDirectory)
        return aws
    }

    private func startMoto(script: URL, dataDirectory: URL?) async throws {
        let process = Process()
        process.executableURL = script
        process.arguments = ["--no-auth"]
        var environment = ProcessInfo.processInfo.environment
        var recording: URL?
        if let dataDirectory {
            let file = dataDirectory.appendingPathComponent("moto-recording.jsonl")
            try Self.compactRecording(file)
            environment["MOTO_ENABLE_RECORDING"] = "True"
            environment["MOTO_RECORDER_FILEPATH"] = file.path
            recording = file
        }
        process.environment = environment
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.standardError
        try process.run()
        moto = process
        motoInput = input
        var values: [String: String] = [:]
        var buffer = Data()
        reading: while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                throw ServeError("moto_server did not start (scripts/moto-server exited); is moto[server] installed? run scripts/setup")
            }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                if line == "READY" { break reading }
                if let equals = line.firstIndex(of: "=") {
                    values[String(line[..<equals])] = String(line[line.index(after: equals)...])
                }
            }
        }
        motoServerPID = values.removeValue(forKey: "MOTO_PID").flatMap { Int32($0) }
        self.environment = values
        motoEndpoint = values["AWS_ENDPOINT_URL"]
        log("moto_server on \(motoEndpoint ?? "?")")
        if let recording, let size = try? FileManager.default.attributesOfItem(atPath: recording.path)[.size] as? Int, size > 0,
            let endpoint = motoEndpoint
        {
            log("restoring the local AWS state from \(recording.path) (\(size) bytes)")
            try await Self.motoAPI(endpoint, "recorder/replay-recording")
            try await Self.motoAPI(endpoint, "recorder/start-recording")
            restored = true
        }
    }

    /// Keeps only the recorded requests that change state (reads and queue polls are dropped: replaying
    /// a long poll would wait for nothing), so the file stays small and replays fast.
    static func compactRecording(_ file: URL) throws {
        guard let data = FileManager.default.contents(atPath: file.path), !data.isEmpty else { return }
        let readOnly: Set<String> = [
            "AmazonSQS.ReceiveMessage", "AmazonSQS.DeleteMessage", "AmazonSQS.GetQueueAttributes", "AmazonSQS.GetQueueUrl",
            "AmazonSQS.PurgeQueue", "DynamoDB_20120810.Query", "DynamoDB_20120810.GetItem", "DynamoDB_20120810.Scan",
            "DynamoDB_20120810.BatchGetItem", "DynamoDB_20120810.DescribeTable",
        ]
        var kept: [Substring] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            let method = (entry["method"] as? String ?? "").uppercased()
            if method == "GET" || method == "HEAD" || method == "OPTIONS" { continue }
            let headers = entry["headers"] as? [String: Any] ?? [:]
            let target = headers.first { $0.key.lowercased() == "x-amz-target" }?.value as? String ?? ""
            if readOnly.contains(target) { continue }
            kept.append(line)
        }
        try Data((kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).utf8).write(to: file, options: .atomic)
    }

    /// POSTs to one of moto's own `/moto-api/` endpoints.
    private static func motoAPI(_ endpoint: String, _ path: String) async throws {
        let response = try await LocalHTTP.send("POST", "\(endpoint)/moto-api/\(path)", timeoutSeconds: 600)
        guard response.status == 200 else { throw ServeError("moto-api/\(path) answered \(response.status)") }
    }

    /// The full environment of a process using these services.
    var childEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }

    /// Creates the buckets, the table, the queue (with a dead-letter queue after 3 receives) and the
    /// uploads bucket's notifications to it; what exists already is kept.
    func provision() async throws {
        let env = childEnvironment
        let s3 = try S3Client.fromEnvironment(env)
        let dynamo = try DynamoDBClient.fromEnvironment(env)
        let sqs = try SQSClient.fromEnvironment(env)
        try await s3.createBucket(Self.uploadsBucket)
        try await s3.createBucket(Self.thumbnailBucket)
        do throws(AWSError) {
            try await StorageLayout.createTable(Self.table, dynamo: dynamo)
        } catch {
            // An existing table (a restart with --data) is fine.
            if error.serviceCode != "ResourceInUseException" { throw error }
        }
        try await dynamo.waitUntilActive(Self.table)
        let deadLetters = try await sqs.createQueue(Self.deadLetterQueue)
        let deadLetterARN = try await sqs.queueAttributes(deadLetters, names: ["QueueArn"])["QueueArn"] ?? ""
        queueURL = try await sqs.createQueue(
            Self.queue,
            attributes: [
                "VisibilityTimeout": "120",
                "RedrivePolicy": "{\"deadLetterTargetArn\":\"\(deadLetterARN)\",\"maxReceiveCount\":\"3\"}",
            ])
        if restored {
            // The replayed uploads sent their events again; their records are already there.
            try await sqs.purgeQueue(queueURL)
        }
        guard let queueARN = try await sqs.queueAttributes(queueURL, names: ["QueueArn"])["QueueArn"] else {
            throw ServeError("the queue \(Self.queue) has no QueueArn")
        }
        try await s3.putQueueNotification(
            bucket: Self.uploadsBucket, queueARN: queueARN, events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"], prefix: "albums/")
    }

    /// Stops moto and the script that started it.
    func stop() {
        guard let moto else { return }
        // moto takes seconds to honour SIGTERM, and its recorded state is already on disk: kill it outright;
        // the script then finds it gone and exits when its stdin closes.
        if let motoServerPID { kill(-motoServerPID, SIGKILL) }
        try? motoInput?.fileHandleForWriting.close()
        var polls = 0
        while moto.isRunning, polls < 100 {
            usleep(50_000)
            polls += 1
        }
        if moto.isRunning { kill(moto.processIdentifier, SIGKILL) }
        self.moto = nil
    }
}

/// A failure of `imagicon serve` itself.
struct ServeError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// One line on stderr (stdout carries only the ready line).
func log(_ message: String) {
    FileHandle.standardError.write(Data("serve: \(message)\n".utf8))
}
