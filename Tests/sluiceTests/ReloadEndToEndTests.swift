import Foundation
import SluiceLog
import SluiceMQTT
import SluiceTestKit
import Testing

/// SIGHUP (`systemctl reload sluice`) against a real mosquitto and `sluice run`: device profiles
/// change while messages flow, on the same MQTT session, and nothing is lost or duplicated; a
/// configuration that does not load is refused and the running one goes on.
@Suite("Reload on SIGHUP end to end", .serialized)
struct ReloadEndToEndTests {
    static let meterProfile = """
        filter: "meters/{device}/energy"
        device_id: { from: topic, wildcard: device }
        topic: energy
        format: json
        schema: { kwh: number }
        """

    static func publishMeters(port: Int, count: Int, clientID: String) throws -> Bool {
        let publisher = try MQTTPublisher(host: "127.0.0.1", port: port, clientID: clientID, qos: 1, window: 100)
        for index in 0..<count {
            try publisher.publish(topic: "meters/m-\(index % 5)/energy", payload: Array(#"{"kwh":\#(index)}"#.utf8))
        }
        let acknowledged = try publisher.flush(timeout: .seconds(30))
        publisher.disconnect()
        return acknowledged
    }

    static func occurrences(of text: String, in output: String) -> Int {
        output.components(separatedBy: text).count - 1
    }

    @Test("add a profile, refuse a broken one, remove one: while 20k messages flow, each stored once, one session throughout")
    func reloadWhileIngesting() throws {
        let fixture = try IngestFixture()
        defer { fixture.remove() }
        try fixture.daemon.start()
        try fixture.daemon.waitUntilConnected()
        let pid = try #require(fixture.daemon.pid)
        let devices = fixture.daemon.directory + "/devices/"
        let port = fixture.broker.port

        // Publish in the background while the profiles change underneath.
        let total = 20_000
        let published = Thread.detachedResult { try IngestFixture.publish(port: port, range: 0..<total, devices: 50) }
        #expect(try fixture.waitForRecords(500), "ingest is running before the first reload")

        // 1. A new device class: its topic is opened and subscribed on the live session.
        try Self.meterProfile.write(toFile: devices + "energy-meter.yaml", atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) { Self.occurrences(of: "reload applied", in: fixture.daemon.output) == 1 },
                "reload applied: \(fixture.daemon.output.suffix(2000))")
        #expect(fixture.daemon.output.contains("mqtt.subscribed=meters/+/energy"), "\(fixture.daemon.output.suffix(1500))")
        #expect(try Self.publishMeters(port: port, count: 100, clientID: "meters-1"))
        #expect(try fixture.waitForRecords(100, topic: "energy", timeout: .seconds(30)), "the new profile's messages land in its topic: \(fixture.daemon.output.suffix(3000))")

        // 2. A profile that does not load: refused with its reason, the running profiles stay.
        try "filter: \"plugs/{device}\"\ntopic: [not, a, topic]\n".write(toFile: devices + "broken.yaml", atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) { fixture.daemon.output.contains("reload refused") })
        #expect(fixture.daemon.output.contains("broken.yaml"), "the refusal names the file: \(fixture.daemon.output.suffix(1500))")
        #expect(fixture.daemon.isRunning)

        // 3. Remove both: the meter filter is unsubscribed, so later meter messages are not delivered.
        try FileManager.default.removeItem(atPath: devices + "broken.yaml")
        try FileManager.default.removeItem(atPath: devices + "energy-meter.yaml")
        kill(pid, SIGHUP)
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) { Self.occurrences(of: "reload applied", in: fixture.daemon.output) == 2 })
        #expect(fixture.daemon.output.contains("mqtt.unsubscribed=meters/+/energy"), "\(fixture.daemon.output.suffix(1500))")

        #expect(try published.value(timeout: .seconds(120)) == true, "the broker acknowledged every publish")
        // Meter messages after the removal, then one more sensor message: once that one is stored,
        // the meter messages published before it would have been too, had they been delivered.
        #expect(try Self.publishMeters(port: port, count: 20, clientID: "meters-2"))
        #expect(try IngestFixture.publish(port: port, range: total..<(total + 1), devices: 50))
        #expect(try fixture.waitForRecords(total + 1), "every sensor message arrives: \(fixture.daemon.output.suffix(2000))")
        #expect(try fixture.recordCount(topic: "energy") == 100)
        #expect(try fixture.recordCount(topic: "_dead_letters") == 0)
        #expect(fixture.daemon.stop() == 0)

        let sequences = try fixture.records(topic: "telemetry").flatMap { $0 }.compactMap(IngestFixture.sequence(of:))
        #expect(sequences.count == total + 1 && Set(sequences).count == total + 1, "each message stored exactly once")
        #expect(Self.occurrences(of: "mqtt connected", in: fixture.daemon.output) == 1, "one MQTT session throughout")
    }
}

extension Thread {
    /// Runs `work` on a new thread; `value(timeout:)` waits for its result.
    static func detachedResult<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) -> DetachedResult<Value> {
        let result = DetachedResult<Value>()
        Thread { result.finish(Swift.Result { try work() }) }.start()
        return result
    }
}

/// The result of work on another thread. `@unchecked Sendable`: every access holds `condition`.
final class DetachedResult<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Swift.Result<Value, any Error>?

    func finish(_ result: Swift.Result<Value, any Error>) {
        condition.lock()
        self.result = result
        condition.broadcast()
        condition.unlock()
    }

    func value(timeout: Duration) throws -> Value {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        while result == nil {
            guard condition.wait(until: deadline) else { throw TestKitError("the background work did not finish in \(timeout)") }
        }
        return try result!.get()
    }
}
