import Testing

@testable import Imagicon

@Suite("S3 sequencers: AWS's rule (right-pad the shorter with zeros, then compare)")
struct S3SequencerTests {
    /// AWS's documented rule, transcribed literally: the reference the implementation is checked against.
    static func reference(_ a: String, _ b: String) -> Int {
        let width = max(a.count, b.count)
        let x = a.uppercased() + String(repeating: "0", count: width - a.count)
        let y = b.uppercased() + String(repeating: "0", count: width - b.count)
        return x == y ? 0 : (x < y ? -1 : 1)
    }

    @Test func examples() {
        #expect(S3Sequencer.compare("0062E99A88DC407460", "0062E99A88DC407461") == -1)
        #expect(S3Sequencer.compare("62E99A88DC407461", "0062E99A88DC407460") == 1)
        // Right padding: "1" is "10" against "0F"; "00FF" is not "FF".
        #expect(S3Sequencer.compare("1", "0F") == 1)
        #expect(S3Sequencer.compare("00FF", "ff") == -1)
        #expect(S3Sequencer.compare("ff", "FF00") == 0)
        // A longer sequencer with the same leading digits is newer (S3 adds digits at the end).
        #expect(S3Sequencer.compare("0055AED6DCD90281E5", "0055AED6DCD90281E500") == 0)
        #expect(S3Sequencer.compare("0055AED6DCD90281E5", "0055AED6DCD90281E501") == -1)
        #expect(S3Sequencer.compare("xyz", "01") == nil)
        #expect(S3Sequencer.compare("", "01") == nil)
        #expect(S3Sequencer.isNewer("0062E99A88DC4074F0", than: "0062E99A88DC407460"))
        #expect(!S3Sequencer.isNewer("0062E99A88DC407460", than: "0062E99A88DC407460"))
    }

    @Test func versionIsFixedWidthUpperCaseAndRefusesNonHex() {
        #expect(S3Sequencer.version("0062e99a88dc407460") == "0062E99A88DC407460" + String(repeating: "0", count: 22))
        #expect(S3Sequencer.version("AB" + String(repeating: "0", count: 50)) == "AB" + String(repeating: "0", count: 38))
        #expect(S3Sequencer.version(String(repeating: "F", count: 45))?.count == 45)
        #expect(S3Sequencer.version("12 4") == nil)
        #expect(S3Sequencer.version("") == nil)
    }

    /// Random pairs built to hit the cases that matter: common prefixes, trailing zeros, different
    /// lengths (up to past the 40-digit width), mixed case.
    @Test func comparisonAndStoredVersionOrderMatchTheReference() throws {
        var rng = SplitMix64(seed: 0x5EC0_E1CE)
        let digits = Array("0123456789ABCDEFabcdef")
        func randomHex(_ length: Int) -> String {
            String((0..<length).map { _ in rng.next() % 3 == 0 ? "0" : digits[Int(rng.next() % UInt64(digits.count))] })
        }
        for _ in 0..<20_000 {
            let a = randomHex(1 + Int(rng.next() % 48))
            let b: String
            switch rng.next() % 4 {
            case 0: b = a + String(repeating: "0", count: Int(rng.next() % 6)) // equal under the rule
            case 1: b = String(a.prefix(1 + Int(rng.next() % UInt64(a.count)))) + randomHex(Int(rng.next() % 8))
            case 2: b = String(repeating: "0", count: Int(rng.next() % 3)) + a // left zeros change the order
            default: b = randomHex(1 + Int(rng.next() % 48))
            }
            let expected = Self.reference(a, b)
            #expect(S3Sequencer.compare(a, b) == expected, "\(a) vs \(b)")
            let va = try #require(S3Sequencer.version(a))
            let vb = try #require(S3Sequencer.version(b))
            // The stored form orders as DynamoDB compares strings: UTF-8 bytes.
            let stored = va == vb ? 0 : (Array(va.utf8).lexicographicallyPrecedes(Array(vb.utf8)) ? -1 : 1)
            #expect(stored == expected, "\(a) vs \(b): \(va) vs \(vb)")
        }
    }
}

/// A small seeded generator, so a failure reproduces.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
