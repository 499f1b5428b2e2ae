import LambdaRuntime

/// Picks and builds the handler named by `_HANDLER`, validating the configuration it needs.
public enum HandlerFactory {
    /// Builds the handler for this process; throws ``ConfigurationError`` (an init error) when the
    /// configuration is bad or the handler is not available in this build.
    public static func make(environment: [String: String]) throws -> any LambdaHandler {
        if environment["_HANDLER"] == "diagnostics" {
            guard environment["IMAGICON_DIAGNOSTICS"] == "1" else {
                throw ConfigurationError(.unknownHandler, "_HANDLER 'diagnostics' is only available with IMAGICON_DIAGNOSTICS=1")
            }
            return DiagnosticsHandler()
        }
        let configuration = try Configuration(environment: environment)
        try configuration.validateForHandler()
        switch configuration.handler {
        case .process, .search, .convert:
            throw ConfigurationError(.unknownHandler,
                                     "the \(configuration.handler.rawValue) handler is not available in this build yet")
        }
    }
}
