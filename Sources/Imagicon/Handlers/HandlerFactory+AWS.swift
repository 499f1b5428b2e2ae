import AWSCore

extension HandlerFactory {
    /// Builds an AWS client from the environment at init. A bad AWS setting (credentials,
    /// region, endpoint) is a configuration error, which Lambda shows as an init error.
    static func awsClient<Client>(_ make: @autoclosure () throws(AWSError) -> Client) throws(ConfigurationError) -> Client {
        do {
            return try make()
        } catch {
            throw ConfigurationError(.invalidValue, "AWS configuration: \(error.message)")
        }
    }
}
