import Foundation
import Testing

@testable import SluiceConfiguration

@Suite("The upstream section")
struct UpstreamSettingsLoadingTests {
    @Test("a full upstream section gives every value; secrets come from files")
    func full() throws {
        let secret = NSTemporaryDirectory() + "sluice-secret-\(UUID().uuidString)"
        try "s3cret\n".write(toFile: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secret) }
        let configuration = try loadConfiguration("""
            devices_dir: devices
            upstream:
              name: central
              bootstrap_servers: kafka-1:9092,kafka-2:9093
              acks: all
              compression: lz4
              linger: 20ms
              batch_bytes: 512KiB
              topic_prefix: "gw1."
              topic_map: { energy: billing.energy }
              max_in_flight_bytes: 8MiB
              cursor_commit_interval: 2s
              on_unrecoverable: skip
              properties: { security.protocol: SASL_SSL, sasl.mechanism: PLAIN, sasl.username: gw1 }
              property_files: { sasl.password: \(secret) }
            """)
        let upstream = try #require(configuration.upstream)
        #expect(upstream.name == "central")
        #expect(upstream.bootstrapServers == "kafka-1:9092,kafka-2:9093")
        #expect(upstream.acks == .all && upstream.isIdempotent)
        #expect(upstream.compression == "lz4" && upstream.linger == .milliseconds(20) && upstream.batchBytes == 512 * 1024)
        #expect(upstream.upstreamTopic(for: "telemetry") == "gw1.telemetry")
        #expect(upstream.upstreamTopic(for: "energy") == "billing.energy")
        #expect(upstream.maxInFlightBytes == 8 << 20 && upstream.cursorCommitInterval == .seconds(2))
        #expect(upstream.onUnrecoverable == .skip)
        #expect(upstream.properties["sasl.username"] == "gw1")
        #expect(upstream.properties["sasl.password"] == "s3cret")
    }

    @Test("without an upstream section nothing is forwarded")
    func absent() throws {
        #expect(try loadConfiguration("devices_dir: devices\n").upstream == nil)
    }

    @Test("acks 0 is accepted (lossy by choice) once idempotence is off")
    func acksZero() throws {
        let configuration = try loadConfiguration("devices_dir: devices\nupstream:\n  bootstrap_servers: k:9092\n  acks: \"0\"\n  idempotence: false\n")
        #expect(configuration.upstream?.acks == UpstreamAcks.none)
    }

    @Test("misconfiguration names the line and the fix", arguments: [
        ("upstream:\n  acks: all\n", "bootstrap_servers is required"),
        ("upstream:\n  bootstrap_servers: kafka-1\n", "host:port"),
        ("upstream:\n  bootstrap_servers: kafka:99999\n", "host:port"),
        ("upstream:\n  bootstrap_servers: k:9092\n  acks: \"1\"\n", "an idempotent producer needs acks: all"),
        ("upstream:\n  bootstrap_servers: k:9092\n  acks: two\n", "acks"),
        ("upstream:\n  bootstrap_servers: k:9092\n  bootstrap: k:9092\n", "bootstrap"),
    ])
    func misconfiguration(yaml: String, expected: String) {
        let errors = configurationErrors("devices_dir: devices\n" + yaml)
        #expect(errors.contains { $0.description.contains(expected) && $0.line != nil }, "\(errors)")
    }
}
