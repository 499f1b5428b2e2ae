import LambdaRuntime

/// Bad configuration; at start-up it becomes a Lambda init error.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable, LambdaReportableError {
    /// What is wrong.
    public enum Code: String, Sendable {
        /// `_HANDLER` names no handler of this binary.
        case unknownHandler
        /// A required variable is not set.
        case missingValue
        /// A variable's value cannot be used.
        case invalidValue
        /// The model files are missing or unreadable.
        case modelsUnavailable
    }

    /// The kind of problem.
    public let code: Code
    /// One sentence naming the variable and the problem.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Lambda's own names for init failures where one fits.
    public var lambdaErrorType: String {
        switch code {
        case .unknownHandler: "Runtime.UnknownHandler"
        case .missingValue, .invalidValue: "Runtime.InvalidConfiguration"
        case .modelsUnavailable: "Runtime.ModelsUnavailable"
        }
    }
}
