import AWSCore
import ArgumentParser
import DynamoDB
import Foundation
import S3

/// `imagicon-bench aws`: round-trip times of the AWS client against the configured endpoint
/// (meant for a local moto_server: `scripts/moto-server --exec imagicon-bench aws`) and the
/// signer's cost per request. Prints one JSON document; times in microseconds.
struct BenchAWSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws",
        abstract: "PutItem and 1 MB GetObject round trips, SigV4 signing cost (needs AWS_ENDPOINT_URL).")

    @Option(help: "Round trips per operation.")
    var iterations = 200

    @Option(help: "Signatures to time.")
    var signatures = 20_000

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["AWS_ENDPOINT_URL"] != nil || environment["AWS_ENDPOINT_URL_S3"] != nil else {
            throw ValidationError("set AWS_ENDPOINT_URL (e.g. run under scripts/moto-server --exec)")
        }
        let s3 = try S3Client.fromEnvironment(environment)
        let dynamo = try DynamoDBClient.fromEnvironment(environment)
        let clock = ContinuousClock()

        // Signer: a typical PutItem request, signed with a fresh date each time.
        let signer = dynamo.engine.signer
        let body = Array(#"{"TableName":"bench","Item":{"PK":{"S":"ALBUM#a"},"SK":{"S":"IMAGE#b"},"size":{"N":"1234"}}}"#.utf8)
        var template = HTTPRequest(method: "POST", endpoint: dynamo.engine.endpoint, path: "/", body: body)
        template.headers.add("Content-Type", "application/x-amz-json-1.0")
        template.headers.add("X-Amz-Target", "DynamoDB_20120810.PutItem")
        var sink = 0
        let cpuStart = Self.threadCPUMicroseconds()
        let signStart = clock.now
        for index in 0..<signatures {
            var request = template
            sink &+=
                signer.sign(&request, payload: .hashing(body), date: Date(timeIntervalSince1970: 1_700_000_000 + Double(index)))
                .signature.utf8.count
        }
        let perSignature = Self.microseconds(clock.now - signStart) / Double(signatures)
        let cpuPerSignature = (Self.threadCPUMicroseconds() - cpuStart) / Double(signatures)

        // DynamoDB PutItem.
        let table = "imagicon-bench"
        do throws(AWSError) {
            try await dynamo.createTable(table, partitionKey: ("PK", .string), sortKey: ("SK", .string))
        } catch {
            if error.serviceCode != "ResourceInUseException" { throw error }
        }
        try await dynamo.waitUntilActive(table)
        var putTimes: [Double] = []
        for index in 0..<iterations {
            let item: DynamoDBItem = ["PK": "ALBUM#bench", "SK": .s("IMAGE#\(index)"), "size": .number(index)]
            let start = clock.now
            try await dynamo.putItem(table: table, item: item)
            putTimes.append(Self.microseconds(clock.now - start))
        }

        // S3 GetObject of 1 MB.
        let bucket = "imagicon-bench"
        try await s3.createBucket(bucket)
        let object = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        try await s3.putObject(bucket: bucket, key: "bench/1mb.bin", body: object)
        var getTimes: [Double] = []
        for _ in 0..<iterations {
            let start = clock.now
            let fetched = try await s3.getObject(bucket: bucket, key: "bench/1mb.bin")
            getTimes.append(Self.microseconds(clock.now - start))
            guard fetched.body.count == object.count else { throw ValidationError("short read") }
        }

        let report: [String: Any] = [
            "endpoint": s3.engine.endpoint.description,
            "signatureMicroseconds": (perSignature * 100).rounded() / 100,
            "signatureCPUMicroseconds": (cpuPerSignature * 100).rounded() / 100,
            "signatures": signatures,
            "putItem": Self.summary(putTimes),
            "getObject1MB": Self.summary(getTimes),
            "checksum": sink % 7,
        ]
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// CPU time of the calling thread: unaffected by other processes competing for cores.
    static func threadCPUMicroseconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) * 1e6 + Double(spec.tv_nsec) / 1e3
    }

    static func microseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
    }

    static func summary(_ values: [Double]) -> [String: Any] {
        let sorted = values.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))].rounded() }
        return [
            "count": sorted.count, "medianMicroseconds": percentile(0.5), "p90Microseconds": percentile(0.9),
            "minMicroseconds": sorted.first?.rounded() ?? 0,
        ]
    }
}
