/// Region resolution as the AWS SDKs do it.
public enum AWSRegion {
    /// The default region when the environment names none.
    public static let fallback = "us-east-1"

    /// `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`.
    public static func fromEnvironment(_ environment: [String: String] = AWSEnvironment.process) -> String {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let value = environment[name]?.trimmingASCIIWhitespace(), !value.isEmpty { return value }
        }
        return fallback
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces, tabs, CR and LF: the one trimming of the package
    /// (environment values, header values, list items).
    public func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
