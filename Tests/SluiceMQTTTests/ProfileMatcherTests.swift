import SluiceJSON
import Glibc
import SluiceConfiguration
import Testing

@testable import SluiceMQTT

/// `sensors/{device}/env` JSON with an RFC 3339 timestamp, `meters/+/reading` JSON with the id
/// and milliseconds in the payload, `fleet/{vehicle}/gps` raw frames, `legacy/{device}/#` JSON
/// with seconds, `$SYS/broker/#` literal.
private let profiles: [DeviceProfile] = [
    DeviceProfile(
        name: "env", filter: pattern("sensors/{device}/env"), deviceID: .topicWildcard("device"), topic: "env",
        format: .json(JSONSchema(fields: [
            JSONFieldRule(name: "temp", type: .number), JSONFieldRule(name: "hum", type: .integer, isRequired: false),
            JSONFieldRule(name: "meta", type: .any, isRequired: false),
        ])),
        timestamp: TimestampField(name: "ts", unit: .rfc3339)),
    DeviceProfile(
        name: "meter", filter: pattern("meters/+/reading"), deviceID: .payloadField("meter_id"), topic: "meters",
        format: .json(JSONSchema(fields: [JSONFieldRule(name: "kwh", type: .number)])),
        timestamp: TimestampField(name: "t", unit: .milliseconds)),
    DeviceProfile(
        name: "gps", filter: pattern("fleet/{vehicle}/gps"), deviceID: .topicWildcard("vehicle"), topic: "gps",
        format: .raw(minBytes: 8, maxBytes: 64)),
    DeviceProfile(
        name: "legacy", filter: pattern("legacy/{device}/#"), deviceID: .topicWildcard("device"), topic: "legacy",
        format: .json(JSONSchema(fields: [JSONFieldRule(name: "time", type: .number, isRequired: false)])),
        timestamp: TimestampField(name: "time", unit: .seconds)),
    DeviceProfile(
        name: "broker", filter: pattern("$SYS/broker/{metric}"), deviceID: .topicWildcard("metric"), topic: "broker",
        format: .raw(minBytes: 1, maxBytes: nil)),
]

/// A pattern from text (this suite does not depend on the YAML loader's parser).
func pattern(_ text: String) -> TopicPattern {
    TopicPattern(levels: text.split(separator: "/", omittingEmptySubsequences: false).map { level in
        switch level {
        case "+": .singleWildcard
        case "#": .multiWildcard
        case _ where level.hasPrefix("{"): .named(String(level.dropFirst().dropLast()))
        default: .literal(String(level))
        }
    })
}

private let arrival: Int64 = 1_795_000_000_000
private let matcher = ProfileMatcher(profiles: profiles, maxPayloadBytes: 256 * 1024)

private func evaluate(_ topic: String, _ payload: String, with matcher: ProfileMatcher = matcher) -> IngestDecision {
    Array(payload.utf8).withUnsafeBytes { matcher.evaluate(topic: topic, payload: $0, arrivalMillis: arrival) }
}

private func evaluate(_ topic: String, bytes: [UInt8]) -> IngestDecision {
    bytes.withUnsafeBytes { matcher.evaluate(topic: topic, payload: $0, arrivalMillis: arrival) }
}

private func reason(_ decision: IngestDecision) -> DeadLetterReason? {
    if case .reject(let reason, _, _) = decision { reason } else { nil }
}

@Suite("ProfileMatcher")
struct ProfileMatcherTests {
    @Test("every dead-letter reason comes from a realistic message")
    func everyReason() {
        let cases: [(DeadLetterReason, IngestDecision, expectedDetail: String)] = [
            (.unknownTopic, evaluate("garage/door/state", #"{"open":true}"#), "no device profile matches the topic"),
            (.emptyPayload, evaluate("sensors/dev-1/env", ""), "payload is empty"),
            (.invalidUTF8, evaluate("sensors/dev-1/env", bytes: Array(#"{"temp":21.5,"room":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8)),
                "invalid UTF-8 byte 0xE9 at byte 24"),
            (.malformedJSON, evaluate("sensors/dev-1/env", #"{"temp": 21.5,}"#), "unexpected '}' at byte 14"),
            (.notAnObject, evaluate("sensors/dev-1/env", "[21.5, 40]"), "expected an object, found an array at byte 0"),
            (.missingField, evaluate("sensors/dev-1/env", #"{"hum": 40, "ts": "2026-11-25T09:30:00Z"}"#), "field 'temp' is missing"),
            (.wrongType, evaluate("sensors/dev-1/env", #"{"temp": "21.5", "ts": "2026-11-25T09:30:00Z"}"#),
                "field 'temp': expected number, found string"),
            (.badDeviceID, evaluate("meters/m1/reading", #"{"meter_id": "plant/7", "kwh": 1.5, "t": 1795595400250}"#),
                "device id in field 'meter_id' contains '/'"),
            (.badTimestamp, evaluate("sensors/dev-1/env", #"{"temp": 21.5, "ts": "2026-02-30T10:00:00Z"}"#),
                "field 'ts': not an RFC 3339 date-time"),
            (.tooShort, evaluate("fleet/truck-9/gps", "\u{1}\u{2}\u{3}"), "payload of 3 bytes is below the minimum of 8"),
            (.tooLong, evaluate("fleet/truck-9/gps", String(repeating: "x", count: 65)), "payload of 65 bytes is above the maximum of 64"),
        ]
        for (expected, decision, detail) in cases {
            guard case .reject(let reason, let actualDetail, _) = decision else {
                Issue.record("\(expected): accepted")
                continue
            }
            #expect(reason == expected)
            #expect(actualDetail == detail)
        }
        let covered = Set(cases.map(\.0)).union([.oversize])  // oversize: its own test below
        #expect(covered == Set(DeadLetterReason.allCases))
    }

    @Test("the raw values are the stable header and label values")
    func rawValues() {
        #expect(DeadLetterReason.allCases.map(\.rawValue) == [
            "unknown_topic", "oversize", "empty_payload", "invalid_utf8", "malformed_json", "not_an_object",
            "missing_field", "wrong_type", "bad_device_id", "bad_timestamp", "too_short", "too_long",
        ])
    }

    @Test("a 1 MB payload is oversize without a byte of it being read")
    func oversizeIsNotScanned() throws {
        // Memory that may not be read: touching any byte of it would crash the test.
        let size = 1 << 20
        let memory = try #require(mmap(nil, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        try #require(memory != MAP_FAILED)
        defer { munmap(memory, size) }
        let decision = matcher.evaluate(
            topic: "sensors/dev-1/env", payload: UnsafeRawBufferPointer(start: memory, count: size), arrivalMillis: arrival)
        #expect(decision == .reject(reason: .oversize, detail: "payload of 1048576 bytes exceeds the limit of 262144", profileIndex: 0))
        // Size comes first even when the topic is unknown.
        let unknown = matcher.evaluate(topic: "nowhere", payload: UnsafeRawBufferPointer(start: memory, count: size), arrivalMillis: 0)
        #expect(reason(unknown) == .oversize)
    }

    @Test("checks run in order: size, topic, emptiness, format, schema, device id, timestamp")
    func checkOrder() {
        #expect(reason(evaluate("nowhere", "")) == .unknownTopic)
        #expect(reason(evaluate("sensors/dev-1/env", bytes: [0x7B, 0xC0, 0x80])) == .invalidUTF8)  // malformed too
        #expect(reason(evaluate("sensors/dev-1/env", "[1,]")) == .malformedJSON)  // not an object too
        #expect(reason(evaluate("sensors//env", #"{"ts": 5}"#)) == .missingField)  // bad id and timestamp too
        #expect(reason(evaluate("sensors//env", #"{"temp": 1, "ts": 5}"#)) == .badDeviceID)  // bad timestamp too
    }

    @Test("the device id comes from the named topic level or from a payload field")
    func deviceIDs() {
        #expect(evaluate("sensors/dev-0001/env", #"{"temp": 21.5, "ts": "2026-11-25T09:30:00.250+01:00"}"#)
            == .accept(profileIndex: 0, deviceID: "dev-0001", timestampMillis: 1_795_595_400_250))
        #expect(evaluate("fleet/truck-äöü-9/gps", "12345678")
            == .accept(profileIndex: 2, deviceID: "truck-äöü-9", timestampMillis: arrival))
        #expect(evaluate("meters/ignored/reading", #"{"meter_id": "m\u00fcller-7", "kwh": 2, "t": 1795595400250}"#)
            == .accept(profileIndex: 1, deviceID: "müller-7", timestampMillis: 1_795_595_400_250))
        #expect(evaluate("meters/x/reading", #"{"meter_id": 4711, "kwh": 2, "t": 1795595400250}"#)
            == .accept(profileIndex: 1, deviceID: "4711", timestampMillis: 1_795_595_400_250))
        let longest = String(repeating: "a", count: 128)
        #expect(evaluate("fleet/\(longest)/gps", "12345678") == .accept(profileIndex: 2, deviceID: longest, timestampMillis: arrival))
    }

    @Test("bad device ids", arguments: [
        ("fleet//gps", "12345678", "device id in topic is empty"),
        ("fleet/\(String(repeating: "a", count: 129))/gps", "12345678", "device id in topic has 129 bytes, more than 128"),
        ("fleet/bell\u{7}/gps", "12345678", "device id in topic contains control character 0x07"),
        ("fleet/del\u{7F}/gps", "12345678", "device id in topic contains control character 0x7F"),
        ("fleet/nel\u{85}/gps", "12345678", "device id in topic contains control character U+0085"),
        ("meters/m/reading", #"{"meter_id": "", "kwh": 1, "t": 1795595400250}"#, "device id in field 'meter_id' is empty"),
        ("meters/m/reading", #"{"meter_id": "a\u0000b", "kwh": 1, "t": 1795595400250}"#,
            "device id in field 'meter_id' contains control character 0x00"),
        ("meters/m/reading", #"{"meter_id": "a\/b", "kwh": 1, "t": 1795595400250}"#, "device id in field 'meter_id' contains '/'"),
        ("meters/m/reading", #"{"meter_id": 47.11, "kwh": 1, "t": 1795595400250}"#,
            "field 'meter_id': device id must be a string or an integer, found number"),
        ("meters/m/reading", #"{"meter_id": null, "kwh": 1, "t": 1795595400250}"#,
            "field 'meter_id': device id must be a string or an integer, found null"),
    ])
    func badDeviceIDs(topic: String, payload: String, detail: String) {
        #expect(evaluate(topic, payload) == .reject(reason: .badDeviceID, detail: detail, profileIndex: topic.hasPrefix("fleet") ? 2 : 1))
    }

    @Test("a missing device id field is a missing field")
    func missingDeviceIDField() {
        #expect(evaluate("meters/m/reading", #"{"kwh": 1, "t": 1795595400250}"#)
            == .reject(reason: .missingField, detail: "device id field 'meter_id' is missing", profileIndex: 1))
    }

    @Test("timestamps in each unit, to the exact millisecond", arguments: [
        // Independently: date -u -d '2026-11-25T09:30:00.250+01:00' +%s%3N → 1795595400250
        ("sensors/d/env", #"{"temp": 1, "ts": "2026-11-25T09:30:00.250+01:00"}"#, Int64(1_795_595_400_250)),
        ("sensors/d/env", #"{"temp": 1, "ts": "2026-11-25t08:30:00.2509999z"}"#, 1_795_595_400_250),
        ("sensors/d/env", #"{"temp": 1, "ts": "2024-02-29T12:00:00.5-05:30"}"#, 1_709_227_800_500),
        ("sensors/d/env", #"{"temp": 1, "ts": "2000-01-01T00:00:00Z"}"#, 946_684_800_000),
        ("sensors/d/env", #"{"temp": 1, "ts": "2099-12-31T23:59:59.999Z"}"#, 4_102_444_799_999),
        ("sensors/d/env", #"{"temp": 1, "ts": "2016-12-31T23:59:60Z"}"#, 1_483_228_800_000),  // leap second
        ("sensors/d/env", #"{"temp": 1, "ts": "2026-11-25T09:30:00\u002E250+01:00"}"#, 1_795_595_400_250),
        ("meters/m/reading", #"{"meter_id": "m", "kwh": 1, "t": 1795595400250}"#, 1_795_595_400_250),
        ("legacy/d/x", #"{"time": 1795595400.2509}"#, 1_795_595_400_250),
        ("legacy/d/x", #"{"time": 1795595400}"#, 1_795_595_400_000),
        ("legacy/d/x", #"{"time": 1.7955954002509E9}"#, 1_795_595_400_250),
        ("legacy/d/x", #"{"time": 17955954002509e-4}"#, 1_795_595_400_250),
        ("legacy/d/x", #"{"other": 1}"#, arrival),  // optional in the schema: arrival time
    ])
    func timestamps(topic: String, payload: String, millis: Int64) {
        guard case .accept(_, _, let timestamp) = evaluate(topic, payload) else {
            Issue.record("rejected: \(evaluate(topic, payload))")
            return
        }
        #expect(timestamp == millis)
    }

    @Test("bad timestamps", arguments: [
        ("sensors/d/env", #"{"temp": 1, "ts": "1999-12-31T23:59:59.999Z"}"#, "field 'ts': outside 2000-01-01..<2100-01-01"),
        ("sensors/d/env", #"{"temp": 1, "ts": "2100-01-01T00:00:00Z"}"#, "field 'ts': outside 2000-01-01..<2100-01-01"),
        ("sensors/d/env", #"{"temp": 1, "ts": "2026-11-25 09:30:00Z"}"#, "field 'ts': not an RFC 3339 date-time"),
        ("sensors/d/env", #"{"temp": 1, "ts": "2026-11-25T09:30:00"}"#, "field 'ts': not an RFC 3339 date-time"),
        ("sensors/d/env", #"{"temp": 1, "ts": "2026-11-25T24:00:00Z"}"#, "field 'ts': not an RFC 3339 date-time"),
        ("sensors/d/env", #"{"temp": 1, "ts": "2026-11-25T09:30:00.Z"}"#, "field 'ts': not an RFC 3339 date-time"),
        ("sensors/d/env", #"{"temp": 1, "ts": "2026-11-25T09:30:00+1:00"}"#, "field 'ts': not an RFC 3339 date-time"),
        ("sensors/d/env", #"{"temp": 1, "ts": 1795595400250}"#, "field 'ts': expected an RFC 3339 string, found integer"),
        ("sensors/d/env", #"{"temp": 1}"#, "timestamp field 'ts' is missing"),
        ("meters/m/reading", #"{"meter_id": "m", "kwh": 1, "t": 1795595400.25}"#, "field 't': expected integer milliseconds, found number"),
        ("meters/m/reading", #"{"meter_id": "m", "kwh": 1, "t": 1795595400}"#, "field 't': outside 2000-01-01..<2100-01-01"),
        ("meters/m/reading", #"{"meter_id": "m", "kwh": 1, "t": 99999999999999999999999}"#, "field 't': outside 2000-01-01..<2100-01-01"),
        ("legacy/d/x", #"{"time": 1795595400250}"#, "field 'time': outside 2000-01-01..<2100-01-01"),
        ("legacy/d/x", #"{"time": 1e400}"#, "field 'time': outside 2000-01-01..<2100-01-01"),
        ("legacy/d/x", #"{"time": -1795595400}"#, "field 'time': outside 2000-01-01..<2100-01-01"),
    ])
    func badTimestamps(topic: String, payload: String, detail: String) {
        let decision = evaluate(topic, payload)
        guard case .reject(let reason, let actualDetail, _) = decision else {
            Issue.record("accepted: \(decision)")
            return
        }
        #expect(reason == (detail.hasPrefix("timestamp field") ? .missingField : .badTimestamp))
        #expect(actualDetail == detail)
    }

    @Test("random payloads and mutated messages never crash the evaluation")
    func fuzz() {
        var random = SplitMix64(seed: 0xF00D)
        let messages: [(String, [UInt8])] = [
            ("sensors/d/env", Array(#"{"temp": 21.5, "hum": 40, "meta": [1, {"x": null}], "ts": "2026-11-25T09:30:00.250+01:00"}"#.utf8)),
            ("meters/m/reading", Array(#"{"meter_id": "m\u00fc-1", "kwh": 1.5e3, "t": 1795595400250}"#.utf8)),
            ("legacy/d/a/b", Array(#"{"time": 1795595400.2509, "z": -0.5e-7}"#.utf8)),
        ]
        let alphabet = Array(#"{}[]:,"\/ -+.eEzZT0123456789tfnrul"#.utf8) + [0x00, 0x7F, 0x80, 0xC2, 0x85, 0xFF]
        for _ in 0..<10_000 {
            var (topic, payload) = messages[Int(random.next() % UInt64(messages.count))]
            for _ in 0...(random.next() % 3) { random.mutate(&payload, alphabet: alphabet) }
            if random.next() % 8 == 0 { topic = String(topic.dropLast(Int(random.next() % 4))) }
            _ = evaluate(topic, bytes: payload)
        }
    }

    @Test("schema types: integer has no fraction or exponent, any takes null, typed fields do not")
    func schemaTypes() {
        let ts = #""ts": "2026-11-25T09:30:00Z""#
        #expect(reason(evaluate("sensors/d/env", #"{"temp": 1, "hum": 40, "meta": null, \#(ts)}"#)) == nil)
        #expect(reason(evaluate("sensors/d/env", #"{"temp": 1, "meta": {"a": [1]}, \#(ts)}"#)) == nil)
        #expect(evaluate("sensors/d/env", #"{"temp": 1, "hum": 40.0, \#(ts)}"#)
            == .reject(reason: .wrongType, detail: "field 'hum': expected integer, found number", profileIndex: 0))
        #expect(evaluate("sensors/d/env", #"{"temp": 1, "hum": 4e1, \#(ts)}"#)
            == .reject(reason: .wrongType, detail: "field 'hum': expected integer, found number", profileIndex: 0))
        #expect(evaluate("sensors/d/env", #"{"temp": null, \#(ts)}"#)
            == .reject(reason: .wrongType, detail: "field 'temp': expected number, found null", profileIndex: 0))
        #expect(evaluate("sensors/d/env", #"{"temp": 1, "hum": "40", \#(ts)}"#)
            == .reject(reason: .wrongType, detail: "field 'hum': expected integer, found string", profileIndex: 0))
        #expect(evaluate("sensors/d/env", #"{"temp": 1, "temp": 2, \#(ts)}"#)
            == .reject(reason: .malformedJSON, detail: "duplicate key 'temp' at byte 12", profileIndex: 0))
    }
}
