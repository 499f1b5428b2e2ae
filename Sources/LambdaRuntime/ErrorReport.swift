/// The JSON body Lambda expects on `/error` and `/init/error`.
public struct ErrorReport: Sendable, Equatable {
    /// Short error class, e.g. `Runtime.UnknownHandler` or `EventDecodingError`;
    /// also sent as the `Lambda-Runtime-Function-Error-Type` header.
    public var errorType: String
    /// One human-readable sentence.
    public var errorMessage: String
    /// Stack frames, when known (Swift errors carry none; kept for the wire shape).
    public var stackTrace: [String]

    /// Creates a report.
    public init(errorType: String, errorMessage: String, stackTrace: [String] = []) {
        self.errorType = errorType
        self.errorMessage = errorMessage
        self.stackTrace = stackTrace
    }

    /// Builds a report from any thrown error.
    public init(_ error: any Error) {
        let type = (error as? LambdaReportableError)?.lambdaErrorType ?? String(describing: Swift.type(of: error))
        self.init(errorType: type, errorMessage: String(describing: error))
    }

    /// The JSON document `{"errorType":…,"errorMessage":…,"stackTrace":[…]}`.
    public var json: [UInt8] {
        var out = "{\"errorType\":"
        JSONString.append(errorType, to: &out)
        out += ",\"errorMessage\":"
        JSONString.append(errorMessage, to: &out)
        out += ",\"stackTrace\":["
        for (i, frame) in stackTrace.enumerated() {
            if i > 0 { out += "," }
            JSONString.append(frame, to: &out)
        }
        out += "]}"
        return Array(out.utf8)
    }
}

/// Minimal JSON string escaping, so the runtime needs no Foundation for its own documents.
enum JSONString {
    /// Appends `value` as a quoted, escaped JSON string.
    static func append(_ value: String, to out: inout String) {
        out.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }
}
