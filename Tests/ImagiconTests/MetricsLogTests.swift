import Foundation
import Testing

@testable import Imagicon

@Suite("MetricsLog: CloudWatch Embedded Metric Format")
struct MetricsLogTests {
    @Test("every declared metric has a value at the root, with its unit; dimension Function; timestamp in ms")
    func document() throws {
        let bytes = MetricsLog.line(
            function: "process", counts: ["ImagesProcessed": 2, "ImagesFailed": 0], millis: ["InvocationDuration": 12.34567],
            now: Date(timeIntervalSince1970: 1_700_000_000.5))
        #expect(bytes.last == 0x0A)
        #expect(bytes.dropLast().contains(0x0A) == false)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let aws = try #require(root["_aws"] as? [String: Any])
        #expect(aws["Timestamp"] as? Int == 1_700_000_000_500)
        let directive = try #require((aws["CloudWatchMetrics"] as? [[String: Any]])?.first)
        #expect(directive["Namespace"] as? String == "Imagicon")
        #expect(directive["Dimensions"] as? [[String]] == [["Function"]])
        #expect(root["Function"] as? String == "process")
        let metrics = try #require(directive["Metrics"] as? [[String: String]])
        #expect(metrics.map { $0["Name"]! } == ["ImagesFailed", "ImagesProcessed", "InvocationDuration"])
        #expect(metrics.map { $0["Unit"]! } == ["Count", "Count", "Milliseconds"])
        for metric in metrics { #expect(root[metric["Name"]!] is NSNumber, "\(metric["Name"]!) has a value") }
        #expect(root["ImagesProcessed"] as? Int == 2)
        #expect(root["InvocationDuration"] as? Double == 12.346)
    }
}
