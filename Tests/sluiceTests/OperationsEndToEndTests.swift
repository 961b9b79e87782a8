import Foundation
import Synchronization
import SluiceMQTT
import SluiceTestKit
import Testing

/// `/metrics`, `/healthz`, the status page and `sluice status` against a real `sluice run`, a real
/// mosquitto and a real browser.
@Suite("The operations endpoint, end to end")
struct OperationsEndToEndTests {
    /// `name{labels}` → value, from Prometheus text.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test("metrics count what was stored; the registry knows the devices and the quiet ones; the page renders them; healthz follows the broker")
    func operations() throws {
        let port = TestEnvironment.freePort()
        let fixture = try IngestFixture(extraYAML: "gateway_id: gw-ops-test\nmetrics:\n  listen: 127.0.0.1:\(port)\n  quiet_after: 10s\n")
        defer { fixture.remove() }
        try fixture.daemon.start()
        defer { fixture.daemon.stop() }
        try fixture.daemon.waitUntilConnected()
        let base = "http://127.0.0.1:\(port)"
        let artefacts = TestEnvironment.temporaryDirectory("sluice-status-page")
        try FileManager.default.createDirectory(atPath: artefacts, withIntermediateDirectories: true)

        // 2000 good messages from 20 devices, then 3 that are not JSON.
        #expect(try IngestFixture.publish(port: fixture.broker.port, range: 0..<2000, devices: 20))
        let publisher = try MQTTPublisher(host: "127.0.0.1", port: fixture.broker.port, clientID: "bad-publisher", qos: 1, window: 10)
        for _ in 0..<3 { try publisher.publish(topic: "sensors/dev-bad/env", payload: Array("not json".utf8)) }
        #expect(try publisher.flush(timeout: .seconds(30)))
        publisher.disconnect()

        var metrics: [String: Double] = [:]
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) {
            metrics = Self.samples((try? HTTPProbe.get(base + "/metrics"))?.body ?? "")
            return metrics["sluice_dead_letters_total{reason=\"malformed_json\"}"] == 3
        }, "\(metrics)")
        let response = try HTTPProbe.get(base + "/metrics")
        #expect(response.status == 200 && response.contentType.hasPrefix("text/plain; version=0.0.4"))
        #expect(response.body.contains("# TYPE sluice_ingest_messages_total counter"))
        #expect(response.body.contains("# HELP sluice_log_fsyncs_total "))
        var payloadBytes = 0
        for sequence in 0..<2000 { payloadBytes += IngestFixture.payload(device: sequence % 20, sequence: sequence).count }
        #expect(metrics["sluice_ingest_messages_total{topic=\"telemetry\"}"] == 2000)
        #expect(metrics["sluice_ingest_bytes_total{topic=\"telemetry\"}"] == Double(payloadBytes))
        #expect(metrics["sluice_mqtt_messages_received_total"] == 2003)
        #expect(metrics["sluice_mqtt_connected"] == 1 && metrics["sluice_healthy"] == 1)
        #expect((metrics["sluice_log_appends_total"] ?? 0) > 0 && (metrics["sluice_log_fsyncs_total"] ?? 0) > 0)
        #expect((metrics["sluice_log_written_bytes_total"] ?? 0) > 0 && (metrics["sluice_disk_used_bytes"] ?? 0) > 0)
        #expect((metrics["process_resident_memory_bytes"] ?? 0) > 1_048_576)
        #expect(metrics["sluice_dead_letters_total{reason=\"oversize\"}"] == 0, "every reason is present from the start")

        let health = try HTTPProbe.get(base + "/healthz")
        #expect(health.status == 200 && health.body == "ok\n")
        #expect(try HTTPProbe.get(base + "/nothing-here").status == 404)

        // Half the devices speak again; the other half go quiet (quiet_after: 10s).
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) {
            Self.samples((try? HTTPProbe.get(base + "/metrics"))?.body ?? "")["sluice_devices_known"] == 20
        })
        // Devices 0…9 keep publishing, on a thread of their own, until the broker outage below.
        let talkers = Talkers(port: fixture.broker.port)
        defer { talkers.stop() }
        var quiet: Double?
        let wentQuiet = TestEnvironment.waitUntil(timeout: .seconds(90)) {
            quiet = Self.samples((try? HTTPProbe.get(base + "/metrics"))?.body ?? "")["sluice_devices_quiet"]
            return quiet == 10
        }
        #expect(wentQuiet, "quiet devices: \(String(describing: quiet))")
        // Let status.json catch up with the registry (refreshed every 2 s).
        #expect(TestEnvironment.waitUntil(timeout: .seconds(10)) {
            ((fixture.daemon.status()?["devices"] as? [String: Any])?["quietCount"] as? Int) == 10
        })

        // The page, rendered by a real browser after its script fetched /status.json.
        let dom = try HeadlessBrowser.dumpDOM(base + "/")
        #expect(dom.contains(#"<span id="gateway">gw-ops-test</span>"#), "\(dom.prefix(3000))")
        #expect(dom.contains(#"<span class="pill ok" id="health">healthy</span>"#))
        #expect(dom.contains("<td>telemetry</td>"))
        #expect(dom.contains(#"<div class="v" id="devices-seen">20</div>"#))
        #expect(dom.contains("<td>dev-0019</td>") && dom.contains("<td>env-sensor</td>"), "quiet devices are listed")
        #expect(!dom.contains("<td>dev-0001</td>"), "devices that speak are not quiet")
        #expect(dom.contains("malformed_json 3"))
        let healthyShot = artefacts + "/status-page-healthy.png"
        try HeadlessBrowser.screenshot(base + "/", to: healthyShot)
        print("status page screenshot (healthy): \(healthyShot)")

        // The same facts in the terminal.
        let status = try SluiceBinary.run(["status", "--runtime-dir", fixture.daemon.runtimeDirectory])
        #expect(status.status == 0)
        #expect(status.standardOutput.contains("health: ok\nstatus page \(base)/\n"), "\(status.standardOutput)")
        #expect(status.standardOutput.contains("devices: 20 seen in the last minute, 20 known, 10 quiet (silent > 10 s)"))
        #expect(status.standardOutput.contains("  quiet dev-0010 (env-sensor): silent "))

        // The broker goes away: healthz says so, and the page too.
        talkers.stop()
        fixture.broker.pause()
        var outage: HTTPProbe.Response?
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) {
            outage = try? HTTPProbe.get(base + "/healthz")
            return outage?.status == 503
        })
        let outageBody = outage?.body ?? ""
        #expect(outageBody.hasPrefix("unhealthy\n- mqtt: not connected to 127.0.0.1:\(fixture.broker.port)"), "\(outageBody)")
        #expect(TestEnvironment.waitUntil(timeout: .seconds(10)) { (fixture.daemon.status()?["healthProblems"] as? [String])?.isEmpty == false })
        let outageDOM = try HeadlessBrowser.dumpDOM(base + "/")
        #expect(outageDOM.contains(#"<span class="pill bad" id="health">unhealthy</span>"#))
        let problem = "<li>mqtt: not connected to 127.0.0.1:\(fixture.broker.port)"
        #expect(outageDOM.contains(problem))
        let outageShot = artefacts + "/status-page-broker-down.png"
        try HeadlessBrowser.screenshot(base + "/", to: outageShot)
        print("status page screenshot (broker down): \(outageShot)")

        // ... and back.
        try fixture.broker.restart()
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) { (try? HTTPProbe.get(base + "/healthz"))?.status == 200 })
        #expect(fixture.daemon.stop() == 0)
    }
}

/// Ten devices (dev-0000 … dev-0009) that publish a message each every half second until stopped.
final class Talkers: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(port: Int) {
        start(port: port)
    }

    private func start(port: Int) {
        Thread { [self] in
            var sequence = 1_000_000
            while !stopping.load(ordering: .relaxed) {
                _ = try? IngestFixture.publish(port: port, range: sequence..<(sequence + 10), devices: 10, clientID: "talkers")
                sequence += 10
                usleep(500_000)
            }
            done.signal()
        }.start()
    }

    /// Stops publishing and waits for the last round (once; later calls return at once).
    func stop() {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        done.wait()
    }
}
