import Testing

@testable import SluiceJSON

@Suite("JSONFieldFinder and JSONNumber: the fast readers of stream operators")
struct JSONFieldFinderTests {
    static let documents = [
        #"{"v":1,"device":"dev-0001","ts":1764000000000,"temp":21.37,"hum":48.2,"pressure":1013.25,"battery":3.71,"rssi":-60,"seq":7}"#,
        #"{ "a" : { "temp": 1, "x": [1, {"temp": 2}] } , "temp" : -0.5e3 , "s": "q\"uo}te,", "b": true, "n": null }"#,
        #"{"s":"\u00e9t\u00e9","arr":[],"obj":{},"temp":0}"#,
        #"{}"#,
    ]

    @Test("on valid objects it finds the same top-level members as the validating scanner")
    func agreesWithScanner() throws {
        let keys = ["temp", "hum", "s", "b", "n", "arr", "obj", "a", "missing"]
        for text in Self.documents {
            let bytes = Array(text.utf8)
            let expected = try bytes.withUnsafeBytes { try JSONScanner(keys: keys).scan($0) }
            let found: [JSONField?] = bytes.withUnsafeBytes { document in
                var fields = [JSONField?](repeating: nil, count: keys.count)
                fields.withUnsafeMutableBufferPointer { #expect(JSONFieldFinder(keys: keys).find(document, into: $0)) }
                return fields
            }
            #expect(found.map { $0?.range } == expected.map { $0?.range }, "\(text)")
            #expect(found.map { $0?.kind } == expected.map { $0?.kind }, "\(text)")
        }
    }

    @Test("malformed input is never read out of bounds; non-objects have no members")
    func malformed() {
        var random = SplitMix64(seed: 8)
        let finder = JSONFieldFinder(keys: ["temp", "hum", ""])
        for _ in 0..<20_000 {
            var bytes = Array(Self.documents[Int(random.next() % UInt64(Self.documents.count))].utf8)
            for _ in 0..<Int(random.next() % 4) { random.mutate(&bytes, alphabet: Array(#"{}[]":,\ "0-e."#.utf8)) }
            bytes.withUnsafeBytes { document in
                var fields = [JSONField?](repeating: nil, count: 3)
                fields.withUnsafeMutableBufferPointer { _ = finder.find(document, into: $0) }
                for field in fields.compactMap({ $0 }) { #expect(field.range.upperBound <= document.count) }
            }
        }
        for text in ["[1]", "\"x\"", "", "  "] {
            Array(text.utf8).withUnsafeBytes { document in
                var fields = [JSONField?](repeating: nil, count: 3)
                fields.withUnsafeMutableBufferPointer { #expect(!finder.find(document, into: $0)) }
            }
        }
    }

    @Test("numbers parse to the Double nearest to their text, as Double(String) does; non-numbers and infinities are nil")
    func numbers() {
        var random = SplitMix64(seed: 3)
        var texts = ["0", "-0", "1", "-12.5", "21.37", "1e2", "1E-7", "0.1", "123456789012345678", "3.141592653589793238", "9007199254740993"]
        for _ in 0..<20_000 {
            let digits = String(random.next() % 10_000_000_000)
            let scale = Int(random.next() % 12)
            let text = scale == 0 || scale >= digits.count ? digits : String(digits.dropLast(scale)) + "." + digits.suffix(scale)
            texts.append(random.next() % 2 == 0 ? "-" + text : text)
        }
        for text in texts {
            let parsed = Array(text.utf8).withUnsafeBytes { JSONNumber.parse($0) }
            #expect(parsed == Double(text), "\(text)")
        }
        for text in ["", "-", "1.", ".5", "abc", "1e400", "0x10", "inf", "nan", "1 "] {
            #expect(Array(text.utf8).withUnsafeBytes { JSONNumber.parse($0) } == nil, "\(text)")
        }
    }
}
