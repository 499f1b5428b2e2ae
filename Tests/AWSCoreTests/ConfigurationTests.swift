import Foundation
import Testing

@testable import AWSCore

@Suite("Credentials, region and endpoint resolution")
struct ConfigurationTests {
    @Test("credentials come from the Lambda variables; a missing key is a typed error")
    func credentials() throws {
        let env = ["AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI", "AWS_SESSION_TOKEN": "token"]
        let credentials = try AWSCredentials.fromEnvironment(env)
        #expect(credentials == AWSCredentials(accessKeyID: "ASIAEXAMPLE", secretAccessKey: "wJalrXUtnFEMI", sessionToken: "token"))
        #expect(!credentials.description.contains("wJalrXUtnFEMI"))
        #expect(
            try AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S", "AWS_SESSION_TOKEN": ""])
                .sessionToken == nil)
        let error = #expect(throws: AWSError.self) { try AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "A"]) }
        #expect(error?.code == .configuration)
    }

    @Test("region: AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1")
    func region() {
        #expect(AWSRegion.fromEnvironment(["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"]) == "eu-west-1")
        #expect(AWSRegion.fromEnvironment(["AWS_DEFAULT_REGION": "us-west-2"]) == "us-west-2")
        #expect(AWSRegion.fromEnvironment(["AWS_REGION": " "]) == "us-east-1")
        #expect(AWSRegion.fromEnvironment([:]) == "us-east-1")
    }

    @Test("endpoint: service variable, then AWS_ENDPOINT_URL, then AWS")
    func endpoints() throws {
        let env = ["AWS_ENDPOINT_URL": "http://localhost:4566", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000/base/"]
        let s3 = try AWSEndpoint.resolve(service: .s3, region: "eu-west-1", environment: env)
        #expect(s3 == AWSEndpoint(scheme: "http", host: "127.0.0.1", port: 9000, basePath: "/base", isCustom: true))
        #expect(s3.hostHeader == "127.0.0.1:9000")
        let ddb = try AWSEndpoint.resolve(service: .dynamoDB, region: "eu-west-1", environment: env)
        #expect(ddb.description == "http://localhost:4566")
        #expect(ddb.isCustom)
        let aws = try AWSEndpoint.resolve(service: .dynamoDB, region: "eu-west-1", environment: [:])
        #expect(aws == AWSEndpoint(host: "dynamodb.eu-west-1.amazonaws.com", isCustom: false))
        #expect(try AWSEndpoint.aws(service: .s3, region: "cn-north-1").host == "s3.cn-north-1.amazonaws.com.cn")
        var ignoring = env
        ignoring["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        #expect(try AWSEndpoint.resolve(service: .s3, region: "eu-west-1", environment: ignoring).host == "s3.eu-west-1.amazonaws.com")
        #expect(try AWSEndpoint(url: "https://example.com:443").hostHeader == "example.com")
        #expect(try AWSEndpoint(url: "http://[::1]:8000").hostHeader == "[::1]:8000")
    }

    @Test(
        "bad endpoints and regions are configuration errors",
        arguments: [
            "localhost:4566", "ftp://x", "http://", "http://host:0", "http://host:99999", "http://user@host",
            "http://host/path?x=1", "http://ho st",
        ])
    func badEndpoint(_ url: String) {
        let error = #expect(throws: AWSError.self) { try AWSEndpoint(url: url) }
        #expect(error?.code == .configuration)
    }

    @Test("a hostile region cannot inject into the host name")
    func badRegion() {
        #expect(throws: AWSError.self) { try AWSEndpoint.aws(service: .s3, region: "us-east-1.evil.com/") }
        #expect(throws: AWSError.self) { try AWSEndpoint.aws(service: .s3, region: "") }
    }
}
