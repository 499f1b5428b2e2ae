#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A DynamoDB attribute value, coded exactly as DynamoDB's JSON wire format
/// (`{"S": "..."}`, `{"N": "12.50"}`, `{"B": "<base64>"}`, ...).
///
/// Numbers stay the exact decimal strings DynamoDB sends (up to 38 significant digits):
/// nothing is lost through `Double`.
public indirect enum AttributeValue: Sendable, Hashable {
    /// String.
    case s(String)
    /// Number, as its exact decimal string.
    case n(String)
    /// Binary.
    case b([UInt8])
    /// Boolean.
    case bool(Bool)
    /// Null.
    case null
    /// Map.
    case m([String: AttributeValue])
    /// List.
    case l([AttributeValue])
    /// String set.
    case ss([String])
    /// Number set (exact decimal strings).
    case ns([String])
    /// Binary set.
    case bs([[UInt8]])

    /// A number from an integer.
    public static func number<T: BinaryInteger>(_ value: T) -> AttributeValue { .n(String(value)) }

    /// A number from a floating-point value (its shortest round-tripping decimal form).
    /// Non-finite values have no DynamoDB representation and become `.null`.
    public static func number(_ value: Double) -> AttributeValue {
        guard value.isFinite else { return .null }
        if value == value.rounded(), abs(value) < 1e15 { return .n(String(Int64(value))) }
        return .n(String(value))
    }

    /// The string of `.s`, else nil.
    public var stringValue: String? { if case .s(let value) = self { value } else { nil } }
    /// The exact decimal string of `.n`, else nil.
    public var numberString: String? { if case .n(let value) = self { value } else { nil } }
    /// `.n` as an `Int` when it is an integer in range, else nil.
    public var intValue: Int? { numberString.flatMap { Int($0) } }
    /// `.n` as a `Double` (may round), else nil.
    public var doubleValue: Double? { numberString.flatMap { Double($0) } }
    /// The bytes of `.b`, else nil.
    public var bytesValue: [UInt8]? { if case .b(let value) = self { value } else { nil } }
    /// The value of `.bool`, else nil.
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    /// The map of `.m`, else nil.
    public var mapValue: [String: AttributeValue]? { if case .m(let value) = self { value } else { nil } }
    /// The list of `.l`, else nil.
    public var listValue: [AttributeValue]? { if case .l(let value) = self { value } else { nil } }
}

/// An item (or key): attribute names to values.
public typealias DynamoDBItem = [String: AttributeValue]

extension AttributeValue: Codable {
    private enum Tag: String, CodingKey {
        case S, N, B, BOOL, NULL, M, L, SS, NS, BS
    }

    /// Decodes one `{"<type>": value}` object; exactly one known type tag is required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Tag.self)
        guard container.allKeys.count == 1, let tag = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath, debugDescription: "an AttributeValue needs exactly one type tag"))
        }
        switch tag {
        case .S: self = .s(try container.decode(String.self, forKey: tag))
        case .N: self = .n(try Self.checkedNumber(try container.decode(String.self, forKey: tag), container, tag))
        case .B: self = .b(try Self.bytes(try container.decode(String.self, forKey: tag), container, tag))
        case .BOOL: self = .bool(try container.decode(Bool.self, forKey: tag))
        case .NULL: self = .null
        case .M: self = .m(try container.decode([String: AttributeValue].self, forKey: tag))
        case .L: self = .l(try container.decode([AttributeValue].self, forKey: tag))
        case .SS: self = .ss(try container.decode([String].self, forKey: tag))
        case .NS: self = .ns(try container.decode([String].self, forKey: tag).map { try Self.checkedNumber($0, container, tag) })
        case .BS: self = .bs(try container.decode([String].self, forKey: tag).map { try Self.bytes($0, container, tag) })
        }
    }

    /// Encodes as DynamoDB's `{"<type>": value}` object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Tag.self)
        switch self {
        case .s(let value): try container.encode(value, forKey: .S)
        case .n(let value): try container.encode(value, forKey: .N)
        case .b(let value): try container.encode(Data(value).base64EncodedString(), forKey: .B)
        case .bool(let value): try container.encode(value, forKey: .BOOL)
        case .null: try container.encode(true, forKey: .NULL)
        case .m(let value): try container.encode(value, forKey: .M)
        case .l(let value): try container.encode(value, forKey: .L)
        case .ss(let value): try container.encode(value, forKey: .SS)
        case .ns(let value): try container.encode(value, forKey: .NS)
        case .bs(let value): try container.encode(value.map { Data($0).base64EncodedString() }, forKey: .BS)
        }
    }

    private static func bytes(_ text: String, _ container: KeyedDecodingContainer<Tag>, _ tag: Tag) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(forKey: tag, in: container, debugDescription: "invalid base64")
        }
        return [UInt8](data)
    }

    /// Accepts DynamoDB's number syntax: optional sign, digits with an optional fraction,
    /// optional exponent.
    private static func checkedNumber(_ text: String, _ container: KeyedDecodingContainer<Tag>, _ tag: Tag) throws -> String {
        guard isNumber(text) else {
            throw DecodingError.dataCorruptedError(forKey: tag, in: container, debugDescription: "'\(text.prefix(40))' is not a number")
        }
        return text
    }

    static func isNumber(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        guard !bytes.isEmpty, bytes.count <= 64 else { return false }
        if bytes.first == 0x2D || bytes.first == 0x2B { bytes = bytes.dropFirst() }
        var digits = 0
        var sawDot = false
        var sawExponent = false
        var exponentDigits = 0
        var previous: UInt8 = 0
        for byte in bytes {
            switch byte {
            case 0x30...0x39: if sawExponent { exponentDigits += 1 } else { digits += 1 }
            case 0x2E where !sawDot && !sawExponent: sawDot = true
            case 0x45, 0x65:
                if sawExponent || digits == 0 { return false }
                sawExponent = true
            case 0x2B, 0x2D: if previous != 0x45 && previous != 0x65 { return false }
            default: return false
            }
            previous = byte
        }
        return digits > 0 && (!sawExponent || exponentDigits > 0)
    }
}

extension AttributeValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    /// A string literal is `.s`.
    public init(stringLiteral value: String) { self = .s(value) }
    /// An integer literal is `.n`.
    public init(integerLiteral value: Int) { self = .n(String(value)) }
    /// A boolean literal is `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
