#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Any JSON document, for events whose producers disagree on field presence and types.
public enum JSONValue: Sendable, Equatable, Codable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number, kept as its shortest exact textual form when integral.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Parses bytes, mapping any parse failure to ``EventDecodingError/Code/notJSON``.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw EventDecodingError(.notJSON, "the event is not valid JSON")
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The member `key` of an object, nil for anything else.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The string value, nil for anything else.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The array value, nil for anything else.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

/// Field access with errors that name the path, so a malformed event says exactly what is wrong.
struct JSONPath {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String = "$") {
        self.value = value
        self.path = path
    }

    func child(_ key: String) -> JSONPath? {
        value[key].flatMap { $0 == .null ? nil : JSONPath($0, path: "\(path).\(key)") }
    }

    func required(_ key: String) throws -> JSONPath {
        guard let c = child(key) else {
            throw EventDecodingError(.missingField, "\(path).\(key) is missing")
        }
        return c
    }

    func string() throws -> String {
        guard case .string(let s) = value else {
            throw EventDecodingError(.invalidField, "\(path) must be a string")
        }
        return s
    }

    func requiredString(_ key: String) throws -> String {
        try required(key).string()
    }

    func optionalString(_ key: String) throws -> String? {
        try child(key)?.string()
    }

    /// An integer that producers send as a number or as a numeric string.
    func optionalInt64(_ key: String) throws -> Int64? {
        guard let c = child(key) else { return nil }
        switch c.value {
        case .number(let d) where d >= 0 && d == d.rounded() && d < 9.0e15: return Int64(d)
        case .string(let s) where Int64(s) != nil: return Int64(s)
        default: throw EventDecodingError(.invalidField, "\(c.path) must be a non-negative integer")
        }
    }

    func array() throws -> [JSONPath] {
        guard case .array(let items) = value else {
            throw EventDecodingError(.invalidField, "\(path) must be an array")
        }
        return items.enumerated().map { JSONPath($1, path: "\(path)[\($0)]") }
    }

    func object() throws -> JSONPath {
        guard case .object = value else {
            throw EventDecodingError(.invalidField, "\(path) must be an object")
        }
        return self
    }
}
