/// Realistic readings from simulated environment sensors: slowly drifting temperature, humidity
/// and pressure, a draining battery, a sequence number; ~128 bytes of JSON each. Deterministic
/// for a given seed so runs can be compared.
struct TelemetrySimulator {
    /// One sensor's reading.
    struct Reading {
        var device: String
        var timestamp: Int64
        var json: String
    }

    private struct DeviceState {
        var temperature: Double
        var humidity: Double
        var pressure: Double
        var battery: Double
        var sequence = 0
    }

    private var generator: SplitMix64
    private var devices: [DeviceState]
    private var next = 0

    /// Creates `deviceCount` sensors named `env-0000`…
    init(deviceCount: Int, seed: UInt64 = 42) {
        generator = SplitMix64(seed: seed)
        devices = []
        for _ in 0..<deviceCount {
            devices.append(
                DeviceState(
                    temperature: 18 + Double.random(in: 0..<8, using: &generator),
                    humidity: 35 + Double.random(in: 0..<30, using: &generator),
                    pressure: 1005 + Double.random(in: 0..<15, using: &generator),
                    battery: 3.6 + Double.random(in: 0..<0.6, using: &generator)))
        }
    }

    static func deviceName(_ index: Int) -> String {
        let digits = String(index)
        return "env-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The next reading, devices taking turns, at `timestamp` (ms since the epoch).
    mutating func nextReading(timestamp: Int64) -> Reading {
        let index = next
        next = (next + 1) % devices.count
        var state = devices[index]
        state.temperature += Double.random(in: -0.05...0.05, using: &generator)
        state.humidity = min(100, max(0, state.humidity + Double.random(in: -0.2...0.2, using: &generator)))
        state.pressure += Double.random(in: -0.1...0.1, using: &generator)
        state.battery = max(3.0, state.battery - 0.00001)
        state.sequence += 1
        devices[index] = state
        let name = Self.deviceName(index)
        let json = #"{"device":"\#(name)","ts":\#(timestamp),"temp":\#(fixed(state.temperature, 2)),"hum":\#(fixed(state.humidity, 1)),"pressure":\#(fixed(state.pressure, 2)),"battery":\#(fixed(state.battery, 3)),"seq":\#(state.sequence)}"#
        return Reading(device: name, timestamp: timestamp, json: json)
    }

    private func fixed(_ value: Double, _ places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let sign = scaled < 0 ? "-" : ""
        let magnitude = abs(scaled)
        let whole = magnitude / Int(scale)
        let fraction = String(magnitude % Int(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: places - fraction.count) + fraction
    }
}

/// A small, fast, seedable random generator (SplitMix64), so simulated data is reproducible.
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
}
