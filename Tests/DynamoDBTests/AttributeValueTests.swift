import Foundation
import Testing

@testable import DynamoDB

@Suite("AttributeValue wire format")
struct AttributeValueTests {
    @Test("decodes every type from DynamoDB JSON, numbers exact")
    func decodeAllTypes() throws {
        let json = """
            {"s":{"S":"héllo"},"n":{"N":"123456789012345678901234567890.123456789"},"b":{"B":"AAEC/w=="},
             "t":{"BOOL":true},"z":{"NULL":true},"m":{"M":{"k":{"N":"-1.5E+3"}}},"l":{"L":[{"S":"a"},{"N":"2"}]},
             "ss":{"SS":["a","b"]},"ns":{"NS":["1","2.50"]},"bs":{"BS":["AQ==","Ag=="]}}
            """
        let item = try JSONDecoder().decode(DynamoDBItem.self, from: Data(json.utf8))
        #expect(item["s"] == .s("héllo"))
        #expect(item["n"] == .n("123456789012345678901234567890.123456789"))
        #expect(item["b"] == .b([0, 1, 2, 255]))
        #expect(item["t"] == .bool(true))
        #expect(item["z"] == .null)
        #expect(item["m"] == .m(["k": .n("-1.5E+3")]))
        #expect(item["l"] == .l([.s("a"), .n("2")]))
        #expect(item["ss"] == .ss(["a", "b"]))
        #expect(item["ns"] == .ns(["1", "2.50"]))
        #expect(item["bs"] == .bs([[1], [2]]))
    }

    @Test("encodes to DynamoDB JSON and round-trips")
    func roundTrip() throws {
        let item: DynamoDBItem = [
            "PK": "ALBUM#weddings/2026", "size": .n("0.10"), "descriptor": .b((0..<16).map(UInt8.init)),
            "flags": .ss(["x"]), "nested": .m(["list": .l([.null, true, 42])]),
        ]
        let data = try JSONEncoder().encode(item)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((object["PK"] as? [String: String]) == ["S": "ALBUM#weddings/2026"])
        #expect((object["size"] as? [String: String]) == ["N": "0.10"])
        #expect((object["descriptor"] as? [String: String]) == ["B": "AAECAwQFBgcICQoLDA0ODw=="])
        let nested = try #require((object["nested"] as? [String: Any])?["M"] as? [String: Any])
        let list = try #require((nested["list"] as? [String: Any])?["L"] as? [[String: Any]])
        #expect(list[0]["NULL"] as? Bool == true)
        #expect(list[2]["N"] as? String == "42")
        #expect(try JSONDecoder().decode(DynamoDBItem.self, from: data) == item)
    }

    @Test(
        "rejects malformed values",
        arguments: [
            #"{"S":"a","N":"1"}"#, #"{}"#, #"{"X":"1"}"#, #"{"N":"12abc"}"#, #"{"N":""}"#, #"{"N":"1e"}"#,
            #"{"B":"not base64!"}"#, #"{"NS":["1","x"]}"#, #"{"N":1}"#,
        ])
    func rejectsMalformed(_ json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AttributeValue.self, from: Data(json.utf8)) }
    }

    @Test("number helpers keep values exact")
    func numbers() {
        #expect(AttributeValue.number(42) == .n("42"))
        #expect(AttributeValue.number(-7 as Int64) == .n("-7"))
        #expect(AttributeValue.number(0.6) == .n("0.6"))
        #expect(AttributeValue.number(1024.0) == .n("1024"))
        #expect(AttributeValue.number(Double.nan) == .null)
        #expect(AttributeValue.n("18446744073709551616").intValue == nil)
        #expect(AttributeValue.n("12").intValue == 12)
        #expect(AttributeValue.isNumber("-1.5E+3"))
        #expect(!AttributeValue.isNumber("--1"))
        #expect(!AttributeValue.isNumber("."))
    }
}
