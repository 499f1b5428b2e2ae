#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// CloudWatch Embedded Metric Format: one JSON line on stdout per invocation, turned into metrics
/// by CloudWatch Logs without any API call.
public enum MetricsLog {
    /// Writes counts (unit Count) and durations (unit Milliseconds) in the `Imagicon` namespace.
    public static func emit(function: String, counts: [String: Int], millis: [String: Double], now: Date = Date()) {
        let line = self.line(function: function, counts: counts, millis: millis, now: now)
        line.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }
    }

    /// The EMF line (newline included): metric values at the root, their declarations under `_aws`.
    static func line(function: String, counts: [String: Int], millis: [String: Double], now: Date) -> [UInt8] {
        var metrics: [JSONValue] = counts.keys.sorted().map { .object(["Name": .string($0), "Unit": .string("Count")]) }
        metrics += millis.keys.sorted().map { .object(["Name": .string($0), "Unit": .string("Milliseconds")]) }
        var document: [String: JSONValue] = [
            "_aws": .object([
                "Timestamp": .number((now.timeIntervalSince1970 * 1000).rounded()),
                "CloudWatchMetrics": .array([
                    .object([
                        "Namespace": .string("Imagicon"),
                        "Dimensions": .array([.array([.string("Function")])]),
                        "Metrics": .array(metrics),
                    ])
                ]),
            ]),
            "Function": .string(function),
        ]
        for (name, value) in counts { document[name] = .number(Double(value)) }
        for (name, value) in millis { document[name] = .number((value * 1000).rounded() / 1000) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // JSONValue always encodes (numbers are finite: counts, and rounded durations of finite times).
        var line = Array((try? encoder.encode(JSONValue.object(document))) ?? Data("{}".utf8))
        line.append(0x0A)
        return line
    }
}
