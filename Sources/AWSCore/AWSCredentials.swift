#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The secret material that signs requests: an access key pair, plus the session token that
/// temporary credentials (such as a Lambda function's role) carry.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    /// The access key id, e.g. `AKIA...` or `ASIA...`; it appears in every signature's scope.
    public var accessKeyID: String
    /// The secret access key; only ever used to derive signing keys, never sent.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `X-Amz-Security-Token`.
    public var sessionToken: String?

    /// Credentials from explicit values (an empty session token counts as none).
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = (sessionToken?.isEmpty ?? true) ? nil : sessionToken
    }

    /// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` exactly as
    /// Lambda sets them; throws `.configuration` when the key pair is missing or empty.
    public static func fromEnvironment(_ environment: [String: String] = AWSEnvironment.process) throws(AWSError) -> AWSCredentials {
        guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else {
            throw AWSError(.configuration, "AWS credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
    }

    /// Never prints the secret or the token.
    public var description: String {
        "AWSCredentials(\(accessKeyID), secret: <redacted>\(sessionToken == nil ? "" : ", session token"))"
    }
}

/// Access to the process environment, kept in one place so tests pass their own dictionaries.
public enum AWSEnvironment {
    /// The current process environment.
    public static var process: [String: String] { ProcessInfo.processInfo.environment }
}
