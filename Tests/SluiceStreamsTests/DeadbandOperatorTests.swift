import SluiceConfiguration
import Testing

@testable import SluiceStreams

@Suite("deadband: per key, a record passes when its value moved enough or after max_silence (a heartbeat)")
struct DeadbandOperatorTests {
    /// `(timestamp ms, value)` readings of one key.
    static func readings(_ values: [(Int64, Double)], key: String = "dev-1") -> [StreamRecord] {
        values.map { reading(#"{"temp":\#($0.1)}"#, key: key, at: $0.0) }
    }

    @Test("absolute delta: passes only moves of more than delta from the last passed value")
    func absolute() {
        let input = Self.readings([(0, 20.0), (1, 20.4), (2, 20.5), (3, 20.6), (4, 19.9), (5, 20.2), (6, 21.2), (7, 21.0)])
        let output = run([.deadband(DeadbandSettings(field: "temp", delta: .absolute(0.5)))], input).output
        // 20.0 first; 20.4 (0.4), 20.5 (0.5, not more) dropped; 20.6 (0.6) passes; 19.9 (0.7) passes;
        // 20.2 (0.3) dropped; 21.2 (1.3) passes; 21.0 (0.2) dropped.
        #expect(output.map(\.timestamp) == [0, 3, 4, 6])
        #expect(output.map(text) == [#"{"temp":20.0}"#, #"{"temp":20.6}"#, #"{"temp":19.9}"#, #"{"temp":21.2}"#])
    }

    @Test("percent delta: relative to the last passed value's magnitude")
    func percent() {
        let input = Self.readings([(0, 200), (1, 209), (2, 211), (3, 200.5), (4, -10), (5, -10.4), (6, -10.6)])
        let output = run([.deadband(DeadbandSettings(field: "temp", delta: .percent(5)))], input).output
        // 200; 209 (4.5 %) no; 211 (5.5 %) yes; 200.5 (10.5 of 211 = 4.98 %) no; -10 yes;
        // -10.4 (0.4 of 10 = 4 %) no; -10.6 (6 %) yes.
        #expect(output.map(\.timestamp) == [0, 2, 4, 6])
    }

    @Test("max_silence: an unchanged value passes once max_silence of event time has passed since the last passed record")
    func heartbeat() {
        let input = Self.readings([(0, 20), (30_000, 20), (59_999, 20), (60_000, 20), (70_000, 20), (90_000, 25), (149_999, 25), (150_000, 25)])
        let output = run([.deadband(DeadbandSettings(field: "temp", delta: .absolute(1), maxSilence: .seconds(60)))], input).output
        // 0 first; 60 000 heartbeat (60 s after 0); 90 000 moved; 150 000 heartbeat (60 s after 90 000).
        #expect(output.map(\.timestamp) == [0, 60_000, 90_000, 150_000])
    }

    @Test("keys are independent; records without a numeric field pass; keys beyond max_keys are refused and counted")
    func keys() {
        let input = [
            reading(#"{"temp":1}"#, key: "a", at: 0), reading(#"{"temp":1}"#, key: "b", at: 1),
            reading(#"{"temp":1.1}"#, key: "a", at: 2), reading(#"{"status":"boot"}"#, key: "a", at: 3),
            reading(#"{"temp":5}"#, key: "c", at: 4), reading(#"{"temp":9}"#, key: "b", at: 5),
        ]
        let (output, context) = run([.deadband(DeadbandSettings(field: "temp", delta: .absolute(0.5)))], input, maxKeys: 2)
        #expect(output.map(\.timestamp) == [0, 1, 3, 5])
        #expect(context.refusedKeys == 1, "c is a third key with max_keys 2")
    }
}
