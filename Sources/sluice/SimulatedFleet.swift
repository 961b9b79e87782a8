import SluiceConfiguration

/// Simulated devices for the shipped (or any) device classes: topics built from each profile's
/// filter, payloads from its schema with values that drift like real sensors, and, when asked,
/// malformed messages of every kind ingest must dead-letter. Deterministic for a seed.
struct SimulatedFleet {
    /// One message to publish.
    struct Message {
        var topic: String
        var payload: [UInt8]
        /// Nil for a well-formed message, else the kind of damage.
        var malformation: String?
    }

    private struct Device {
        var id: String
        var profile: DeviceProfile
        var topic: String
        var values: [String: Double] = [:]
        var sequence = 0
    }

    private var devices: [Device] = []
    private var generator: SplitMix64
    private var next = 0
    private let malformedPercent: Double
    private let maxPayloadBytes: Int

    /// `deviceCount` devices spread over `profiles` in turn.
    init(profiles: [DeviceProfile], deviceCount: Int, malformedPercent: Double, maxPayloadBytes: Int, seed: UInt64) {
        generator = SplitMix64(seed: seed)
        self.malformedPercent = malformedPercent
        self.maxPayloadBytes = maxPayloadBytes
        for index in 0..<deviceCount where !profiles.isEmpty {
            let profile = profiles[index % profiles.count]
            let id = "\(profile.name)-\(String(repeating: "0", count: max(0, 4 - String(index).count)))\(index)"
            devices.append(Device(id: id, profile: profile, topic: Self.topic(for: profile, device: id)))
        }
    }

    static func topic(for profile: DeviceProfile, device: String) -> String {
        profile.filter.levels.map { level in
            switch level {
            case .literal(let text): text
            case .named(let name): profile.deviceID == .topicWildcard(name) ? device : "site-1"
            case .singleWildcard: "gw"
            case .multiWildcard: "data"
            }
        }.joined(separator: "/")
    }

    /// The next message, devices taking turns; `nowMillis` stamps device timestamps.
    mutating func nextMessage(nowMillis: Int64) -> Message {
        let index = next
        next = (next + 1) % devices.count
        if malformedPercent > 0 && Double.random(in: 0..<100, using: &generator) < malformedPercent {
            return malformed(devices[index], nowMillis: nowMillis)
        }
        devices[index].sequence += 1
        let device = devices[index]
        switch device.profile.format {
        case .raw(let minBytes, let maxBytes):
            let count = Int.random(in: minBytes...max(minBytes, min(maxBytes ?? (minBytes + 64), minBytes + 256)), using: &generator)
            return Message(topic: device.topic, payload: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
        case .json(let schema):
            var fields: [String] = []
            if case .payloadField(let name) = device.profile.deviceID { fields.append(#""\#(name)":"\#(device.id)""#) }
            for rule in schema.fields where !fields.contains(where: { $0.hasPrefix("\"\(rule.name)\":") }) {
                if rule.name == device.profile.timestamp?.name { continue }
                fields.append(#""\#(rule.name)":\#(value(for: rule, device: index))"#)
            }
            if let timestamp = device.profile.timestamp {
                let isInteger = schema.fields.first { $0.name == timestamp.name }?.type == .integer
                let value = timestamp.unit == .seconds && isInteger ? String(nowMillis / 1000) : Self.encode(nowMillis, timestamp.unit)
                fields.append(#""\#(timestamp.name)":\#(value)"#)
            }
            return Message(topic: device.topic, payload: Array("{\(fields.joined(separator: ","))}".utf8))
        }
    }

    private mutating func value(for rule: JSONFieldRule, device index: Int) -> String {
        switch rule.type {
        case .number:
            let base = Self.baseValue(rule.name)
            let current = devices[index].values[rule.name] ?? base * (1 + Double.random(in: -0.05...0.05, using: &generator))
            let drifted = rule.name.contains("total") ? current + Double.random(in: 0...0.01, using: &generator)
                : current + base * Double.random(in: -0.002...0.002, using: &generator)
            devices[index].values[rule.name] = drifted
            return String((drifted * 1000).rounded() / 1000)
        case .integer: return String(devices[index].sequence)
        case .string: return #""ok""#
        case .boolean: return "true"
        case .object: return "{}"
        case .array: return "[]"
        case .any: return "null"
        }
    }

    /// A plausible magnitude for a field, by its name.
    static func baseValue(_ name: String) -> Double {
        let table: [(String, Double)] = [
            ("temp", 21.5), ("hum", 45), ("pres", 1013.25), ("batt", 3.7), ("lat", 52.52), ("lon", 13.405),
            ("speed", 35), ("heading", 180), ("kwh", 12_345.6), ("power", 1500), ("volt", 230), ("current", 6.5),
            ("rssi", -70), ("co2", 600),
        ]
        return table.first { name.lowercased().contains($0.0) }?.1 ?? 50
    }

    static func encode(_ millis: Int64, _ unit: TimestampUnit) -> String {
        switch unit {
        case .milliseconds: return String(millis)
        case .seconds: return String(Double(millis) / 1000)
        case .rfc3339:
            let days = millis / 86_400_000
            let inDay = millis % 86_400_000
            // civil-from-days (Howard Hinnant)
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            let day = doy - (153 * mp + 2) / 5 + 1
            let month = mp < 10 ? mp + 3 : mp - 9
            let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
            func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
            func three(_ value: Int64) -> String { value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)" }
            return #""\#(year)-\#(two(month))-\#(two(day))T\#(two(inDay / 3_600_000)):\#(two(inDay / 60_000 % 60)):\#(two(inDay / 1000 % 60)).\#(three(inDay % 1000))Z""#
        }
    }

    private mutating func malformed(_ device: Device, nowMillis: Int64) -> Message {
        let kinds = ["truncated_json", "wrong_type", "invalid_utf8", "empty_payload", "unknown_topic", "oversize"]
        let kind = kinds[Int.random(in: 0..<kinds.count, using: &generator)]
        switch kind {
        case "truncated_json": return Message(topic: device.topic, payload: Array(#"{"temp":21.5,"hum":4"#.utf8), malformation: kind)
        case "wrong_type":
            if case .json(let schema) = device.profile.format, let rule = schema.fields.first(where: { $0.type == .number }) {
                return Message(topic: device.topic, payload: Array(#"{"\#(rule.name)":"warm"}"#.utf8), malformation: kind)
            }
            return Message(topic: device.topic, payload: [], malformation: "empty_payload")
        case "invalid_utf8": return Message(topic: device.topic, payload: Array(#"{"note":""#.utf8) + [0xC0, 0x80] + Array(#""}"#.utf8), malformation: kind)
        case "empty_payload": return Message(topic: device.topic, payload: [], malformation: kind)
        case "unknown_topic": return Message(topic: "unknown/\(device.id)/data", payload: Array(#"{"x":1}"#.utf8), malformation: kind)
        default: return Message(topic: device.topic, payload: [UInt8](repeating: 0x20, count: maxPayloadBytes + 1), malformation: kind)
        }
    }
}
