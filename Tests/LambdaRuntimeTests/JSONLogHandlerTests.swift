import Foundation
import Logging
import Testing

@testable import LambdaRuntime

@Suite("JSONLogHandler: one CloudWatch-parsable JSON object per line")
struct JSONLogHandlerTests {
    func event(_ message: String, level: Logger.Level = .info, metadata: Logger.Metadata? = nil) -> LogEvent {
        LogEvent(level: level, message: "\(message)", metadata: metadata, source: nil, file: "f.swift", function: "f()", line: 1)
    }

    func parse(_ line: String) throws -> [String: Any] {
        #expect(line.hasSuffix("\n"))
        #expect(line.dropLast().contains("\n") == false, "one line, whatever the message holds")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("fixed fields, time from the given clock, metadata merged with the event's winning")
    func fields() throws {
        var handler = JSONLogHandler(label: "process", level: .debug)
        handler[metadataKey: "requestId"] = "r-1"
        handler[metadataKey: "stage"] = "handler"
        let object = try parse(handler.line(for: event("done", metadata: ["stage": "event"]), atMillis: 1_700_000_000_123))
        #expect(object["timestamp"] as? String == "2023-11-14T22:13:20.123Z")
        #expect(object["level"] as? String == "INFO")
        #expect(object["message"] as? String == "done")
        #expect(object["logger"] as? String == "process")
        #expect(object["requestId"] as? String == "r-1")
        #expect(object["stage"] as? String == "event")
    }

    @Test("quotes, backslashes, newlines and control characters are escaped; fixed fields cannot be overridden")
    func escaping() throws {
        let hostile = "a\"b\\c\nd\re\u{01}f\u{7F}é😀"
        let handler = JSONLogHandler(label: "l\"x", level: .info)
        let object = try parse(
            handler.line(
                for: event(hostile, metadata: ["message": "spoofed", "level": "spoofed", "k\"\n": .string(hostile)]),
                atMillis: 0))
        #expect(object["message"] as? String == hostile)
        #expect(object["level"] as? String == "INFO")
        #expect(object["logger"] as? String == "l\"x")
        #expect(object["k\"\n"] as? String == hostile)
    }

    @Test("numbers stay numbers, non-finite ones and other values become strings; lists and maps nest")
    func values() throws {
        let handler = JSONLogHandler(label: "l", level: .info)
        let metadata: Logger.Metadata = [
            "count": .stringConvertible(3), "ms": .stringConvertible(12.5), "nan": .stringConvertible(Double.nan),
            "flag": .stringConvertible(true), "list": .array(["a", .stringConvertible(2)]),
            "map": .dictionary(["z": "1", "a": .dictionary(["n": .stringConvertible(1)])]),
        ]
        let line = handler.line(for: event("m", metadata: metadata), atMillis: 0)
        let object = try parse(line)
        #expect(object["count"] as? Int == 3)
        #expect(object["ms"] as? Double == 12.5)
        #expect(object["nan"] as? String == "nan")
        #expect(object["flag"] as? String == "true")
        #expect((object["list"] as? [Any])?.count == 2)
        #expect(((object["map"] as? [String: Any])?["a"] as? [String: Any])?["n"] as? Int == 1)
        #expect(line.contains(#""map":{"a":{"n":1},"z":"1"}"#), "map keys sorted")
    }
}
