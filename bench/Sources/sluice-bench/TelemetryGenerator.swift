import SluiceLog

/// Deterministic JSON sensor telemetry from `deviceCount` devices ("dev-0000"…), shaped like what
/// MQTT ingest stores: key = device id, value = 128 bytes of JSON (±1), the `mqtt.topic` and
/// `mqtt.qos` headers ingest adds.
///
/// Every device reports once per simulated second, in a shuffled order; timestamps rise by 1 ms per
/// record; readings drift slowly (random walks), as real sensors do, which matters for compression.
struct TelemetryGenerator {
    private struct Device {
        var temperature: Int  // centi-degrees C
        var humidity: Int  // tenths of %
        var pressure: Int  // centi-hPa
        var battery: Int  // centi-volts
        var rssi: Int  // dBm
        var sequence: Int
    }

    /// Timestamp of the first record (ms since the epoch).
    static let startMillis: Int64 = 1_700_000_000_000
    private var random: SplitMix64
    private var devices: [Device]
    private var order: [Int]
    private var position: Int
    private var timestamp = startMillis
    // Shared by every record of a device (arrays are copy-on-write), so only values take memory.
    private let keys: [[UInt8]]
    private let headers: [[RecordHeader]]
    private let names: [String]

    init(deviceCount: Int = 1000, seed: UInt64 = 42) {
        var random = SplitMix64(seed: seed)
        names = (0..<deviceCount).map { "dev-" + Self.padded($0, width: 4) }
        keys = names.map { Array($0.utf8) }
        headers = names.map {
            [RecordHeader(key: "mqtt.topic", value: Array("sensors/\($0)/env".utf8)), RecordHeader(key: "mqtt.qos", value: [0x31])]
        }
        devices = (0..<deviceCount).map { _ in
            Device(
                temperature: random.next(in: 1800...2600), humidity: random.next(in: 350...650),
                pressure: random.next(in: 100_500...102_000), battery: random.next(in: 360...420),
                rssi: random.next(in: -85 ... -45), sequence: random.next(in: 100_000...400_000))
        }
        order = Array(0..<deviceCount)
        position = deviceCount
        self.random = random
    }

    /// The next record.
    mutating func next() -> Record {
        if position == order.count {
            random.shuffle(&order)
            position = 0
        }
        let index = order[position]
        position += 1
        timestamp += 1
        var device = devices[index]
        device.temperature = min(max(device.temperature + random.next(in: -3...3), 500), 3500)
        device.humidity = min(max(device.humidity + random.next(in: -2...2), 100), 950)
        device.pressure = min(max(device.pressure + random.next(in: -4...4), 98_000), 104_000)
        if random.next(in: 0...499) == 0 { device.battery = max(device.battery - 1, 300) }
        device.rssi = min(max(device.rssi + random.next(in: -1...1), -95), -35)
        device.sequence += 1
        devices[index] = device
        let json = "{\"v\":1,\"device\":\"\(names[index])\",\"ts\":\(timestamp),\"temp\":\(Self.fixed(device.temperature, 2))"
            + ",\"hum\":\(Self.fixed(device.humidity, 1)),\"pressure\":\(Self.fixed(device.pressure, 2))"
            + ",\"battery\":\(Self.fixed(device.battery, 2)),\"rssi\":\(device.rssi),\"seq\":\(device.sequence)}"
        return Record(timestamp: timestamp, key: keys[index], value: Array(json.utf8), headers: headers[index])
    }

    /// A positive scaled integer as a decimal: fixed(2137, 2) == "21.37".
    private static func fixed(_ scaled: Int, _ decimals: Int) -> String {
        var divisor = 1
        for _ in 0..<decimals { divisor *= 10 }
        return "\(scaled / divisor)." + padded(scaled % divisor, width: decimals)
    }

    private static func padded(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// A small, fast, seedable generator (SplitMix64), so every run stores the same bytes.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func shuffle(_ array: inout [Int]) { array.shuffle(using: &self) }
}
