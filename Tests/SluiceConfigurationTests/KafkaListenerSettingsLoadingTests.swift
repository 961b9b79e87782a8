import Foundation
import Testing

@testable import SluiceConfiguration

@Suite("The kafka_listener section")
struct KafkaListenerSettingsLoadingTests {
    @Test("without the section there is no listener; an empty one listens on 127.0.0.1:9092")
    func defaults() throws {
        #expect(try loadConfiguration("devices_dir: devices\n").kafkaListener == nil)
        let listener = try #require(try loadConfiguration("devices_dir: devices\nkafka_listener: {}\n").kafkaListener)
        #expect(listener.host == "127.0.0.1" && listener.port == 9092 && listener.isLoopback)
        #expect(listener.maxConnections == 64 && listener.maxRequestBytes == 16 << 20 && listener.maxInFlightRequests == 32)
        #expect(listener.maxQueuedRequestBytes == 32 << 20)
        #expect(listener.saslPlainUsers.isEmpty && listener.autoCreateTopics)
    }

    @Test("a wider listen address with SASL/PLAIN users read from a file")
    func wideWithUsers() throws {
        let users = NSTemporaryDirectory() + "sluice-kafka-users-\(UUID().uuidString)"
        try "# apps on the plant network\ndashboard:s3cret:with:colons\n\nml:pw\n".write(toFile: users, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: users) }
        let listener = try #require(
            try loadConfiguration("""
                devices_dir: devices
                kafka_listener:
                  listen: 0.0.0.0:19092
                  advertised: gw-0001.plant:19092
                  sasl_plain_users_file: \(users)
                  max_connections: 8
                  max_request_bytes: 1MiB
                  max_in_flight_requests: 4
                  max_queued_request_bytes: 4MiB
                  auto_create_topics: false
                  group_initial_rebalance_delay: 0s
                  min_session_timeout: 1s
                  max_session_timeout: 1m
                """
            ).kafkaListener)
        #expect(listener.host == "0.0.0.0" && listener.port == 19092 && !listener.isLoopback)
        #expect(listener.advertisedHost == "gw-0001.plant" && listener.advertisedPort == 19092)
        #expect(listener.saslPlainUsers == ["dashboard": "s3cret:with:colons", "ml": "pw"])
        #expect(listener.maxConnections == 8 && listener.maxRequestBytes == 1 << 20 && listener.maxInFlightRequests == 4)
        #expect(listener.maxQueuedRequestBytes == 4 << 20)
        #expect(!listener.autoCreateTopics && listener.groupInitialRebalanceDelay == .zero)
        #expect(listener.sessionTimeouts == .seconds(1) ... .seconds(60))
    }

    @Test("misconfiguration names the line and the fix", arguments: [
        ("kafka_listener:\n  listen: 192.168.1.10:9092\n", "sasl_plain_users_file with a non-loopback listen address"),
        ("kafka_listener:\n  listen: 0.0.0.0:9092\n", "an advertised host:port beside a wildcard listen address"),
        ("kafka_listener:\n  listen: 9092\n", "host:port"),
        ("kafka_listener:\n  listen: 127.0.0.1:70000\n", "host:port"),
        ("kafka_listener:\n  max_request_bytes: 1KiB\n", "64KiB…1GiB"),
        ("kafka_listener:\n  max_connections: 0\n", "max_connections"),
        ("kafka_listener:\n  min_session_timeout: 1m\n  max_session_timeout: 10s\n", "at most max_session_timeout"),
        ("kafka_listener:\n  sasl_plain_users_file: /nonexistent/kafka-users\n", "/nonexistent/kafka-users"),
        ("kafka_listener:\n  listn: 127.0.0.1:9092\n", "listn"),
    ])
    func misconfiguration(yaml: String, expected: String) {
        let errors = configurationErrors("devices_dir: devices\n" + yaml)
        #expect(errors.contains { $0.description.contains(expected) && $0.line != nil }, "\(errors)")
    }

    @Test("a users file without a colon on a line names that line")
    func badUsersFile() throws {
        let users = NSTemporaryDirectory() + "sluice-kafka-users-\(UUID().uuidString)"
        try "ok:pw\njustaname\n".write(toFile: users, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: users) }
        let error = try #require(configurationError("devices_dir: devices\nkafka_listener:\n  sasl_plain_users_file: \(users)\n"))
        #expect(error.description.contains("found none on line 2"), "\(error)")
        #expect(error.line == 3)
    }
}
