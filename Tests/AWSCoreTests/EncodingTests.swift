import Foundation
import Testing

@testable import AWSCore

@Suite("Encoding helpers: URI encoding, dates, XML scan")
struct EncodingTests {
    @Test("RFC 3986 encoding keeps only unreserved characters")
    func uriEncoding() {
        #expect(URIEncoding.encode("a b+c/ü~._-*") == "a%20b%2Bc%2F%C3%BC~._-%2A")
        #expect(URIEncoding.encode("a b/c", keepSlash: true) == "a%20b/c")
        #expect(URIEncoding.encode("📷") == "%F0%9F%93%B7")
        #expect(URIEncoding.decode("a%20b%2Bc%2F%C3%BC") == "a b+c/ü")
        #expect(URIEncoding.decode("a+b") == "a+b")
        #expect(URIEncoding.decode("%zz") == nil)
        #expect(URIEncoding.decode("%2") == nil)
        #expect(URIEncoding.decode("%FF") == nil) // not UTF-8
    }

    @Test(
        "AMZ dates are computed without a formatter",
        arguments: [
            (0.0, "19700101T000000Z"), (1_440_938_160, "20150830T123600Z"), (951_782_400, "20000229T000000Z"),
            (4_102_444_799.9, "20991231T235959Z"), (-1, "19691231T235959Z"),
        ])
    func amzDate(_ seconds: Double, _ expected: String) {
        let stamp = AMZDate(Date(timeIntervalSince1970: seconds))
        #expect(stamp.timestamp == expected)
        #expect(stamp.day == String(expected.prefix(8)))
    }

    @Test("AMZ dates agree with Foundation's formatter over many dates")
    func amzDateAgainstFoundation() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var seconds = -2_000_000_000.0
        while seconds < 5_000_000_000 {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(AMZDate(date).timestamp == formatter.string(from: date))
            seconds += 7_777_777.0
        }
    }

    @Test("XML scan reads values and decodes entities, tolerates garbage")
    func xmlScan() {
        let xml = "<Error><Code>NoSuchKey</Code><Message>a &lt;b&gt; &amp; &quot;c&quot; &#x263A; &#65; &bogus; &</Message></Error>"
        #expect(XMLScan.firstValue(of: "Code", in: xml) == "NoSuchKey")
        #expect(XMLScan.firstValue(of: "Message", in: xml) == "a <b> & \"c\" ☺ A &bogus; &")
        #expect(XMLScan.firstValue(of: "RequestId", in: xml) == nil)
        #expect(XMLScan.firstValue(of: "Code", in: "<Code>unterminated") == nil)
        #expect(XMLScan.firstValue(of: "Code", in: "<Code>&#xFFFFFFFF;</Code>") == "&#xFFFFFFFF;")
        #expect(XMLScan.escape("a<&>\"'\r") == "a&lt;&amp;&gt;&quot;&apos;&#xd;")
        #expect(XMLScan.decodeEntities(Substring(XMLScan.escape("k & <ü>\u{1}"))) == "k & <ü>\u{1}")
    }
}

@Suite("SigV4 signing-key cache")
struct SigningKeyCacheTests {
    @Test("the cached key follows the day, secret, region and service")
    func cacheFollowsScope() {
        var signer = SigV4Signer(
            credentials: .init(accessKeyID: "AKID", secretAccessKey: "one"), region: "us-east-1",
            service: "s3", rules: .s3)
        func fresh(_ signer: SigV4Signer, _ day: String) -> [UInt8] {
            SigV4Signer.deriveKey(
                .init(day: day, secret: signer.credentials.secretAccessKey, region: signer.region, service: signer.service)
            )
            .withUnsafeBytes { Array($0) }
        }
        func cached(_ signer: SigV4Signer, _ day: String) -> [UInt8] { signer.signingKey(day: day).withUnsafeBytes { Array($0) } }
        #expect(cached(signer, "20260101") == fresh(signer, "20260101"))
        #expect(cached(signer, "20260101") == fresh(signer, "20260101"))
        #expect(cached(signer, "20260102") == fresh(signer, "20260102"))
        #expect(cached(signer, "20260102") != fresh(signer, "20260101"))
        signer.credentials.secretAccessKey = "two" // a copy shares the cache but not the secret
        #expect(cached(signer, "20260102") == fresh(signer, "20260102"))
        signer.region = "eu-west-1"
        #expect(cached(signer, "20260102") == fresh(signer, "20260102"))
        signer.service = "dynamodb"
        #expect(cached(signer, "20260102") == fresh(signer, "20260102"))
    }
}

@Suite("SigV4 header canonicalisation details")
struct CanonicalHeaderTests {
    @Test(
        "values are trimmed and inner whitespace runs collapsed",
        arguments: [
            ("a", "a"), ("", ""), (" a", "a"), ("a ", "a"), ("a  b", "a b"), ("a\tb", "a b"), (" \t a \r\n b  ", "a b"),
            ("a b c", "a b c"), ("   ", ""),
        ])
    func collapse(_ input: String, _ expected: String) {
        #expect(SigV4Signer.collapseWhitespace(input) == expected)
    }

    @Test("names are lower-cased, sorted bytewise, repeated names joined in order, unsigned ones skipped")
    func block() {
        let headers: HTTPHeaders = ["X-B": "2", "Host": "h", "x-b": "1", "User-Agent": "ua", "X-a": " v ", "Authorization": "old"]
        let result = SigV4Signer.canonicalHeaders(headers)
        #expect(result.block == "host:h\nx-a:v\nx-b:2,1\n")
        #expect(result.signedNames == "host;x-a;x-b")
    }
}
