import Testing

@testable import SluiceJSON

/// Runs `scanner` over `bytes`: the fields, or the error.
private func scan(_ bytes: [UInt8], keys: [String] = []) -> Result<[JSONField?], JSONScanError> {
    let scanner = JSONScanner(keys: keys)
    return bytes.withUnsafeBytes { document in
        do throws(JSONScanError) { return .success(try scanner.scan(document)) } catch { return .failure(error) }
    }
}

private func scan(_ text: String, keys: [String] = []) -> Result<[JSONField?], JSONScanError> {
    scan(Array(text.utf8), keys: keys)
}

/// Documents in the spirit of JSONTestSuite (https://github.com/nst/JSONTestSuite): `y_` must be
/// accepted, `n_` rejected with the given code.
@Suite("JSONScanner")
struct JSONScannerTests {
    static let accepted: [(name: String, bytes: [UInt8])] = [
        ("y_object_empty", Array("{}".utf8)),
        ("y_whitespace_around", Array(" \t\r\n{ }\n ".utf8)),
        ("y_empty_key", Array(#"{"":0}"#.utf8)),
        ("y_number_minus_zero", Array(#"{"a":-0}"#.utf8)),
        ("y_number_huge_exponent", Array(#"{"a":1e400}"#.utf8)),
        ("y_number_forms", Array(#"{"a":[0,-1,1.5,0.5e-3,1E+2,-0.0e0,123456789012345678901234567890]}"#.utf8)),
        ("y_literals", Array(#"{"t":true,"f":false,"n":null}"#.utf8)),
        ("y_nested", Array(#"{"a":[1,[2,[3,{"b":{}}]],[]],"c":{"d":[{}]}}"#.utf8)),
        ("y_string_escapes", Array(#"{"a":"\"\\\/\b\f\n\r\t"}"#.utf8)),
        ("y_string_unicode_escape", Array(#"{"a":"\u00e9\u00E9\u0000"}"#.utf8)),
        ("y_string_surrogate_pair", Array(#"{"a":"\uD834\uDD1E"}"#.utf8)),
        ("y_string_utf8", Array(#"{"a":"é€𝄞","ключ":"値"}"#.utf8)),
        ("y_string_del_raw", Array(#"{"a":""#.utf8) + [0x7F] + Array(#""}"#.utf8)),
        ("y_string_noncharacter", Array(#"{"a":""#.utf8) + [0xEF, 0xBF, 0xBF] + Array(#""}"#.utf8)),
        ("y_string_max_scalar", Array(#"{"a":""#.utf8) + [0xF4, 0x8F, 0xBF, 0xBF] + Array(#""}"#.utf8)),
        ("y_string_long_ascii", Array(#"{"a":""#.utf8) + [UInt8](repeating: 0x61, count: 1000) + Array(#""}"#.utf8)),
        ("y_duplicate_unrequested_key", Array(#"{"x":1,"x":2}"#.utf8)),
        ("y_depth_64", Array(("{\"a\":" + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "}").utf8)),
    ]

    static let rejected: [(name: String, bytes: [UInt8], code: JSONScanError.Code)] = [
        ("n_empty", [], .syntax),
        ("n_whitespace_only", Array(" \n".utf8), .syntax),
        ("n_object_trailing_comma", Array(#"{"a":1,}"#.utf8), .syntax),
        ("n_array_trailing_comma", Array(#"{"a":[1,]}"#.utf8), .syntax),
        ("n_double_comma", Array(#"{"a":1,,"b":2}"#.utf8), .syntax),
        ("n_missing_comma", Array(#"{"a":1 "b":2}"#.utf8), .syntax),
        ("n_missing_colon", Array(#"{"a" 1}"#.utf8), .syntax),
        ("n_comma_only", Array("{,}".utf8), .syntax),
        ("n_array_missing_comma", Array(#"{"a":[1 2]}"#.utf8), .syntax),
        ("n_single_quotes", Array("{'a':1}".utf8), .syntax),
        ("n_unquoted_key", Array("{a:1}".utf8), .syntax),
        ("n_comment", Array("{/**/}".utf8), .syntax),
        ("n_number_leading_zero", Array(#"{"a":01}"#.utf8), .syntax),
        ("n_number_minus_leading_zero", Array(#"{"a":-01}"#.utf8), .syntax),
        ("n_number_leading_dot", Array(#"{"a":.5}"#.utf8), .syntax),
        ("n_number_trailing_dot", Array(#"{"a":1.}"#.utf8), .syntax),
        ("n_number_empty_exponent", Array(#"{"a":1e}"#.utf8), .syntax),
        ("n_number_signed_empty_exponent", Array(#"{"a":1.5e+}"#.utf8), .syntax),
        ("n_number_plus", Array(#"{"a":+1}"#.utf8), .syntax),
        ("n_number_minus_only", Array(#"{"a":-}"#.utf8), .syntax),
        ("n_number_hex", Array(#"{"a":0x10}"#.utf8), .syntax),
        ("n_number_nan", Array(#"{"a":NaN}"#.utf8), .syntax),
        ("n_number_infinity", Array(#"{"a":-Infinity}"#.utf8), .syntax),
        ("n_literal_capital", Array(#"{"a":True}"#.utf8), .syntax),
        ("n_literal_truncated", Array(#"{"a":nul}"#.utf8), .syntax),
        ("n_lone_high_surrogate", Array(#"{"a":"\uD800"}"#.utf8), .syntax),
        ("n_lone_low_surrogate", Array(#"{"a":"\uDC00"}"#.utf8), .syntax),
        ("n_high_surrogate_then_bmp", Array(#"{"a":"\uD800\u0041"}"#.utf8), .syntax),
        ("n_high_surrogate_then_text", Array(#"{"a":"\uD800x"}"#.utf8), .syntax),
        ("n_escape_unknown", Array(#"{"a":"\x"}"#.utf8), .syntax),
        ("n_escape_single_quote", Array(#"{"a":"\'"}"#.utf8), .syntax),
        ("n_escape_short_unicode", Array(#"{"a":"\u12"}"#.utf8), .syntax),
        ("n_escape_bad_hex", Array(#"{"a":"\u12G4"}"#.utf8), .syntax),
        ("n_control_newline_in_string", Array("{\"a\":\"x\ny\"}".utf8), .syntax),
        ("n_control_tab_in_string", Array("{\"a\":\"x\ty\"}".utf8), .syntax),
        ("n_control_nul_in_string", Array(#"{"a":""#.utf8) + [0x00] + Array(#""}"#.utf8), .syntax),
        ("n_depth_65", Array(("{\"a\":" + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}").utf8), .tooDeep),
        ("n_depth_100000", Array(("{\"a\":" + String(repeating: "[", count: 100_000)).utf8), .tooDeep),
        ("n_top_level_number", Array("1".utf8), .notAnObject),
        ("n_top_level_string", Array(#""s""#.utf8), .notAnObject),
        ("n_top_level_true", Array(" true ".utf8), .notAnObject),
        ("n_top_level_null", Array("null".utf8), .notAnObject),
        ("n_top_level_array", Array(#"[{"a":1}]"#.utf8), .notAnObject),
        ("n_top_level_scalar_garbage", Array("1 2".utf8), .syntax),
        ("n_truncated_value", Array(#"{"a":1"#.utf8), .syntax),
        ("n_truncated_after_colon", Array(#"{"a":"#.utf8), .syntax),
        ("n_truncated_key", Array(#"{"a"#.utf8), .syntax),
        ("n_truncated_string", Array(#"{"a":"abc"#.utf8), .syntax),
        ("n_truncated_open", Array("{".utf8), .syntax),
        ("n_truncated_literal", Array(#"{"a":tru"#.utf8), .syntax),
        ("n_truncated_escape", Array(#"{"a":"\u00"#.utf8), .syntax),
        ("n_trailing_garbage", Array("{} x".utf8), .syntax),
        ("n_two_documents", Array("{}{}".utf8), .syntax),
        ("n_extra_close", Array(#"{"a":1}}"#.utf8), .syntax),
        ("n_mismatched_close", Array(#"{"a":[1}}"#.utf8), .syntax),
        ("n_trailing_nul", Array("{}".utf8) + [0x00], .syntax),
        ("n_bom", [0xEF, 0xBB, 0xBF] + Array("{}".utf8), .syntax),
        ("n_utf8_overlong_nul", Array(#"{"a":""#.utf8) + [0xC0, 0x80] + Array(#""}"#.utf8), .invalidUTF8),
        ("n_utf8_encoded_surrogate", Array(#"{"a":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), .invalidUTF8),
        ("n_utf8_overlong_3_bytes", Array(#"{"a":""#.utf8) + [0xE0, 0x80, 0xAF] + Array(#""}"#.utf8), .invalidUTF8),
        ("n_utf8_above_max", Array(#"{"a":""#.utf8) + [0xF4, 0x90, 0x80, 0x80] + Array(#""}"#.utf8), .invalidUTF8),
        ("n_utf8_lead_f5", Array(#"{"a":""#.utf8) + [0xF5, 0x80, 0x80, 0x80] + Array(#""}"#.utf8), .invalidUTF8),
        ("n_utf8_lone_continuation", Array(#"{"a":""#.utf8) + [0x80] + Array(#""}"#.utf8), .invalidUTF8),
        ("n_utf8_ff", Array(#"{"a":""#.utf8) + [0xFF] + Array(#""}"#.utf8), .invalidUTF8),
        ("n_utf8_truncated_sequence", Array(#"{"a":""#.utf8) + [0xE2, 0x82] + Array(#""}"#.utf8), .invalidUTF8),
        ("n_utf8_latin1_key", Array(#"{"caf"#.utf8) + [0xE9] + Array(#"":1}"#.utf8), .invalidUTF8),
        ("n_utf8_outside_string", Array("{".utf8) + [0xC0] + Array("}".utf8), .invalidUTF8),
        ("n_utf8_after_syntax_error", Array(#"{"a":1,}"#.utf8) + [0xC0, 0x80], .invalidUTF8),
        ("n_valid_utf8_outside_string", Array(#"{"a":é}"#.utf8), .syntax),
    ]

    @Test("accepts every y_ document", arguments: accepted.map(\.name))
    func acceptsValid(name: String) {
        let bytes = Self.accepted.first { $0.name == name }!.bytes
        #expect(throws: Never.self) { try scan(bytes).get() }
    }

    @Test("rejects every n_ document with the right code", arguments: rejected.map(\.name))
    func rejectsInvalid(name: String) {
        let (_, bytes, code) = Self.rejected.first { $0.name == name }!
        switch scan(bytes) {
        case .success: Issue.record("\(name) was accepted")
        case .failure(let error):
            #expect(error.code == code, "\(name): \(error)")
            #expect((0...bytes.count).contains(error.offset), "\(name): offset \(error.offset)")
        }
    }

    @Test("errors name the byte and the offset")
    func errorMessages() {
        let cases: [([UInt8], String)] = [
            (Array(#"{"a":1,}"#.utf8), "unexpected '}' at byte 7"),
            (Array(#"{"temp": 21.5, "unit": "C",}"#.utf8), "unexpected '}' at byte 27"),
            (Array(#"{"a":01}"#.utf8), "leading zero in number at byte 5"),
            (Array(#"{"a":"\uD800"}"#.utf8), #"lone high surrogate \uD800 at byte 6"#),
            (Array(#"{"a":"\q"}"#.utf8), #"invalid escape \'q' at byte 6"#),
            (Array("{\"a\":\"\n\"}".utf8), "control character 0x0A in string at byte 6"),
            (Array(#"{"a":"#.utf8), "unexpected end of input at byte 5"),
            (Array(#"[1]"#.utf8), "expected an object, found an array at byte 0"),
            ([0xEF, 0xBB, 0xBF, 0x7B, 0x7D], "byte order mark not allowed at byte 0"),
            (Array(#"{"a":""#.utf8) + [0xC0, 0x80, 0x22, 0x7D], "invalid UTF-8 byte 0xC0 at byte 6"),
            (Array("{} ".utf8) + [0x01], "unexpected byte 0x01 at byte 3"),
        ]
        for (bytes, expected) in cases {
            #expect(scan(bytes).failureDescription == expected)
        }
    }

    @Test("reports the type and byte range of requested top-level keys only")
    func extractsFields() throws {
        let text = #"{"temp": 21.5, "id":"dev-1", "n" : -3, "o":{"temp":9}, "arr":[1,{"id":2}], "b":true, "z":null, "e":"a\nb"}"#
        let keys = ["temp", "id", "n", "o", "arr", "b", "z", "e", "missing"]
        let fields = try scan(text, keys: keys).get()
        let bytes = Array(text.utf8)
        func value(_ key: String) -> String? {
            fields[keys.firstIndex(of: key)!].map { String(decoding: bytes[$0.range], as: UTF8.self) }
        }
        #expect(value("temp") == "21.5")
        #expect(value("id") == #""dev-1""#)
        #expect(value("n") == "-3")
        #expect(value("o") == #"{"temp":9}"#)
        #expect(value("arr") == #"[1,{"id":2}]"#)
        #expect(value("b") == "true")
        #expect(value("z") == "null")
        #expect(value("missing") == nil)
        #expect(fields.map { $0?.kind } == [.number, .string, .number, .object, .array, .boolean, .null, .string, nil])
        #expect(fields[0]?.isInteger == false)
        #expect(fields[2]?.isInteger == true)
        #expect(fields[1]?.hasEscapes == false)
        #expect(fields[7]?.hasEscapes == true)
        bytes.withUnsafeBytes { document in
            #expect(fields[1]?.decodedString(in: document) == "dev-1")
            #expect(fields[7]?.decodedString(in: document) == "a\nb")
        }
    }

    @Test("numbers with fraction or exponent are not integers")
    func integerness() throws {
        for (number, isInteger) in [("0", true), ("-0", true), ("12345678901234567890", true), ("1.0", false), ("1e2", false), ("-2E-1", false)] {
            let fields = try scan(#"{"x":\#(number)}"#, keys: ["x"]).get()
            #expect(fields[0]?.isInteger == isInteger, "\(number)")
        }
    }

    @Test("keys are compared after decoding their escapes")
    func escapedKeys() throws {
        #expect(try scan(#"{"te\u006dp":1}"#, keys: ["temp"]).get()[0]?.kind == .number)
        #expect(try scan(#"{"t\u00e9":1}"#, keys: ["té"]).get()[0]?.kind == .number)
        #expect(try scan(#"{"\uD834\uDD1E":1}"#, keys: ["𝄞"]).get()[0]?.kind == .number)
        #expect(try scan(#"{"te\\mp":1}"#, keys: ["temp"]).get()[0] == nil)
        #expect(try scan(#"{"tem":1,"temps":2,"Temp":3}"#, keys: ["temp"]).get()[0] == nil)
        #expect(try scan(#"{"a\"b":true}"#, keys: ["a\"b"]).get()[0]?.kind == .boolean)
    }

    @Test("a requested key present twice is rejected, escaped or not")
    func duplicateKeys() {
        #expect(scan(#"{"temp":1,"temp":2}"#, keys: ["temp"]).failureCode == .duplicateKey)
        #expect(scan(#"{"temp":1,"te\u006dp":2}"#, keys: ["temp"]).failureDescription == "duplicate key 'temp' at byte 10")
        #expect(scan(#"{"o":{"temp":1},"temp":2}"#, keys: ["temp"]).failureCode == nil)
        #expect(scan(#"{"x":1,"x":2}"#, keys: ["temp"]).failureCode == nil)
    }

    @Test("unescape decodes every escape form")
    func unescape() {
        let raw = Array(#"a\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\uD834\uDD1Ez"#.utf8)
        let decoded = raw.withUnsafeBytes { content in
            [UInt8](unsafeUninitializedCapacity: content.count) { buffer, count in
                count = JSONScanner.unescape(content, into: UnsafeMutableRawBufferPointer(buffer))
            }
        }
        #expect(String(decoding: decoded, as: UTF8.self) == "a\"\\/\u{8}\u{C}\n\r\tAé€𝄞z")
    }

    @Test("random bytes and mutated documents: always returns, UTF-8 verdict matches the standard library's")
    func fuzz() {
        var random = SplitMix64(seed: 0x5EED_1CE)
        let corpus = Self.accepted.map(\.bytes) + [
            Array(#"{"temp":21.5,"hum":40,"device":"dev-0001","ts":"2026-11-25T09:30:00.250Z","tags":["a","b"],"ok":true}"#.utf8)
        ]
        let alphabet = Array(#"{}[]:,"\/ -+.eE0123456789tfnrulasbu"#.utf8) + [0x00, 0x0A, 0x7F, 0x80, 0xC3, 0xA9, 0xED, 0xF0, 0xFF]
        let scanner = JSONScanner(keys: ["temp", "device", "ts", "tags", "a"])
        for iteration in 0..<20_000 {
            var bytes: [UInt8]
            if iteration < 10_000 {
                let count = Int(random.next() % 48)
                bytes = (0..<count).map { _ in random.next() % 2 == 0 ? alphabet[Int(random.next() % UInt64(alphabet.count))] : UInt8(truncatingIfNeeded: random.next()) }
            } else {
                bytes = corpus[Int(random.next() % UInt64(corpus.count))]
                for _ in 0...(random.next() % 4) { random.mutate(&bytes, alphabet: alphabet) }
            }
            let isUTF8 = bytes.withUnsafeBytes { String(validating: $0, as: UTF8.self) != nil }
            bytes.withUnsafeBytes { document in
                do throws(JSONScanError) {
                    let fields = try scanner.scan(document)
                    #expect(isUTF8, "accepted invalid UTF-8: \(bytes)")
                    for field in fields.compactMap({ $0 }) {
                        #expect(field.range.lowerBound >= 0 && field.range.upperBound <= bytes.count && !field.range.isEmpty)
                    }
                } catch {
                    #expect((error.code == .invalidUTF8) == !isUTF8, "\(error) for \(bytes)")
                    #expect((0...bytes.count).contains(error.offset))
                }
            }
        }
    }
}

extension Result where Failure == JSONScanError {
    fileprivate var failureDescription: String? {
        if case .failure(let error) = self { error.description } else { nil }
    }
    fileprivate var failureCode: JSONScanError.Code? {
        if case .failure(let error) = self { error.code } else { nil }
    }
}
