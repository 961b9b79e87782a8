import Foundation
import Testing

@testable import SluiceConfiguration

@Suite("A bad configuration is refused with every problem, each on the line and column of the bad value")
struct SluiceConfigurationErrorTests {
    let file = Fixture.configurationFile

    @Test(
        "each kind of bad value names its key, what was found and what was expected, at its exact place",
        arguments: [
            (
                "mqtt:\n  port: 70000",
                "3:9: error: mqtt.port: expected a port 1…65535, found 70000 (fix: use the broker's port, usually 1883, or 8883 with TLS)"
            ),
            ("mqtt:\n  port: http", "3:9: error: mqtt.port: expected a port 1…65535, found 'http'"),
            ("mqtt:\n  qos: 3", "3:8: error: mqtt.qos: expected a QoS 0, 1 or 2, found 3 (fix: use 1: at least once)"),
            (
                "mqtt:\n  keepalive: 30",
                "3:14: error: mqtt.keepalive: expected a duration such as 250ms, 30s, 5m, 1h or 7d, found '30' (fix: add a unit: 30s for seconds, 30ms for milliseconds)"
            ),
            (
                "mqtt:\n  keepalive: 2s",
                "3:14: error: mqtt.keepalive: expected whole seconds 5s…65535s (libmosquitto's range), found '2s' (fix: use e.g. 30s)"
            ),
            ("mqtt:\n  protocol: 4", "3:13: error: mqtt.protocol: expected 3.1.1 or 5, found 4"),
            ("mqtt:\n  host:", "3:8: error: mqtt.host: expected a host name or IP address, found nothing"),
            (
                "mqtt:\n  max_payload_bytes: 16M",
                "3:22: error: mqtt.max_payload_bytes: expected a size such as 4096, 512KiB, 16MiB or 1GiB, found '16M' (fix: write 16MiB (powers of 1024) or 16MB (powers of 1000))"
            ),
            (
                "mqtt:\n  max_payload_bytes: 1GiB",
                "3:22: error: mqtt.max_payload_bytes: expected a size of 1 byte…256MiB, found '1GiB' (fix: use e.g. 256KiB)"
            ),
            (
                "mqtt:\n  extra_subscriptions:\n    - ok/#\n    - a/#/b",
                "5:7: error: mqtt.extra_subscriptions[1]: topic filter 'a/#/b' has '#' at level 2, but '#' may only be the last level (fix: move '#' to the end, or use '+' for one level)"
            ),
            (
                "mqtt:\n  extra_subscriptions: legacy/#",
                "3:24: error: mqtt.extra_subscriptions: expected a list of MQTT topic filters, found 'legacy/#'"
            ),
            (
                "mqtt:\n  reconnect: { min: 10s, max: 5s }",
                "3:31: error: mqtt.reconnect: expected min not above max, found min 10s and max 5s (fix: make max at least min)"
            ),
            (
                "mqtt: [a, b]",
                "2:7: error: mqtt: expected a mapping with keys host, port, client_id, protocol, qos, keepalive, username, password_file, tls, extra_subscriptions, max_payload_bytes, reconnect and batch_linger, found a list"
            ),
            (
                "gateway_id: gw 1",
                "2:13: error: gateway_id: expected a gateway id of 1–249 letters, digits, '.', '_' or '-', found 'gw 1' (fix: e.g. gw-0001)"
            ),
            (
                "log:\n  fsync: sometimes",
                "3:10: error: log.fsync: expected always, interval or never, found 'sometimes'"
            ),
            (
                "log:\n  fsync: alway",
                "3:10: error: log.fsync: expected always, interval or never, found 'alway' (fix: did you mean always?)"
            ),
            (
                "log:\n  flush_interval: 0ms",
                "3:19: error: log.flush_interval: expected a flush interval above zero, found '0ms' (fix: use e.g. 250ms, or fsync: always)"
            ),
            (
                "topic_defaults:\n  partitions: 0",
                "3:15: error: topic_defaults.partitions: partition count must be 1…10000, not 0 (fix: use 1 to 10000 partitions)"
            ),
            (
                "topic_defaults:\n  segment_bytes: 100",
                "3:18: error: topic_defaults.segment_bytes: segment bytes must be 1 KiB…2 GiB, not 100 (fix: use 1KiB to 2GiB, e.g. 16MiB)"
            ),
            (
                "topic_defaults:\n  index_interval_bytes: 0",
                "3:25: error: topic_defaults.index_interval_bytes: index interval bytes must be positive (fix: use a positive size, e.g. 4KiB)"
            ),
            (
                "topic_defaults:\n  max_batch_bytes: 10",
                "3:20: error: topic_defaults.max_batch_bytes: max batch bytes must be at least 61 (fix: use at least 61 bytes, e.g. 1MiB)"
            ),
            (
                "topic_defaults:\n  compression: gzip",
                "3:16: error: topic_defaults.compression: expected none, lz4 or zstd, found 'gzip'"
            ),
            (
                "topic_defaults:\n  compression: zstdd",
                "3:16: error: topic_defaults.compression: expected none, lz4 or zstd, found 'zstdd' (fix: did you mean zstd?)"
            ),
            (
                "topic_defaults:\n  retention: forever",
                "3:14: error: topic_defaults.retention: expected a duration such as 250ms, 30s, 5m, 1h or 7d, found 'forever' (fix: write a duration such as 7d, or null to keep records forever)"
            ),
            (
                "topic_defaults:\n  retention: 0s",
                "3:14: error: topic_defaults.retention: expected a duration above zero, found '0s' (fix: use a positive duration, or null to keep records forever)"
            ),
            (
                "topics:\n  telemetry: { partitions: 20000 }",
                "3:28: error: topics.telemetry.partitions: partition count must be 1…10000, not 20000 (fix: use 1 to 10000 partitions)"
            ),
            (
                "topics:\n  tele metry: {}",
                "3:3: error: topics: expected a topic name of 1–249 letters, digits, '.', '_' or '-', found 'tele metry' (fix: e.g. telemetry)"
            ),
            (
                "dead_letters: { topic: 'a/b' }",
                "2:24: error: dead_letters.topic: expected a topic name of 1–249 letters, digits, '.', '_' or '-', found 'a/b' (fix: e.g. telemetry)"
            ),
        ])
    func badValue(yaml: String, expected: String) {
        let error = configurationError("devices_dir: devices\n" + yaml)
        #expect(error?.description == "\(file):\(expected)")
    }

    @Test("an unknown key is an error at the key, suggesting the key that was meant")
    func unknownKey() {
        let error = configurationError("devices_dir: devices\nmqtt:\n  host: 127.0.0.1\n  clientid: gw\n")
        #expect(
            error?.description == "\(file):4:3: error: unknown key 'clientid' in mqtt (fix: did you mean 'client_id'?)")
        #expect(error?.code == .unknownKey)
        #expect(
            configurationError("devices_dir: devices\ntopic_default: {}\n")?.fix == "did you mean 'topic_defaults'?")
    }

    @Test("an unknown key with no near miss lists the keys that are known there")
    func unknownKeyWithoutSuggestion() {
        let error = configurationError("devices_dir: devices\nlog:\n  colour: blue\n")
        #expect(
            error?.description
                == "\(file):3:3: error: unknown key 'colour' in log (fix: known keys in log are fsync and flush_interval)"
        )
    }

    @Test("every problem in the file is reported, in line order, not just the first")
    func collectsAll() {
        let errors = configurationErrors(
            """
            devices_dir: devices
            mqtt:
              port: 0
              qos: 5
              kepalive: 30s
            topic_defaults:
              retention: 7
              compression: brotli
            dead_letter: {}
            """)
        #expect(errors.map(\.line) == [3, 4, 5, 7, 8, 9])
        #expect(
            errors.map(\.code) == [.outOfRange, .outOfRange, .unknownKey, .invalidValue, .invalidValue, .unknownKey])
        #expect(ConfigurationErrors(errors).description.split(separator: "\n").count == 6)
    }

    @Test("a topic override no profile writes to is an error at its key, suggesting the topic meant")
    func unusedTopicOverride() {
        let error = configurationError("devices_dir: devices\ntopics:\n  telemtry: { partitions: 6 }\n  energy: {}\n")
        #expect(
            error?.description == """
                \(file):3:3: error: topics.telemtry: no device profile writes to topic 'telemtry' \
                (fix: did you mean 'telemetry'? else remove it or add a profile)
                """)
    }

    @Test("a topic override is not reported as unused when a profile could not be read: its topic is unknown")
    func unusedTopicOverrideWithBrokenProfile() {
        let errors = configurationErrors("devices_dir: unreadable-devices\ntopics:\n  energy: {}\n")
        #expect(errors.map(\.code) == [.syntax])
        #expect(errors.first?.file == Fixture.path("unreadable-devices/b-unreadable.yaml"))
    }

    @Test("the dead-letter topic is configured under dead_letters, not topics")
    func deadLetterTopicOverride() {
        let error = configurationError("devices_dir: devices\ntopics:\n  _dead_letters: { retention: 30d }\n")
        #expect(error?.line == 3)
        #expect(error?.fix == "move these settings to dead_letters")
    }

    @Test("malformed YAML is one syntax error at the place the parser stopped")
    func syntax() {
        let error = configurationError("devices_dir: devices\nmqtt:\n  host: [127.0.0.1\n  port: 1883\n")
        #expect(error?.code == .syntax)
        #expect(error?.line == 4, "the flow list opened on line 3 is still open on line 4")
        #expect(error?.message.hasPrefix("expected valid YAML, found a syntax error: ") == true)
        let tab = configurationError("devices_dir: devices\nmqtt:\n\thost: broker\n")
        #expect(tab?.line == 3)
        #expect(tab?.fix == "indent with spaces: YAML does not allow tabs in indentation")
        let duplicate = configurationError("devices_dir: devices\nmqtt:\n  port: 1883\n  port: 1884\n")
        #expect(duplicate?.message == "expected each key once in a mapping, found 'port' more than once")
        #expect(duplicate?.line == 3)
    }

    @Test("devices_dir must be a folder holding at least one *.yaml; a *.yml is reported, not skipped")
    func devicesFolder() throws {
        let missing = configurationError("")
        #expect(
            missing?.description == """
                \(file): error: devices_dir: expected a folder of device profiles, found no folder '/etc/sluice/devices' \
                (fix: create it with one <class>.yaml per device class, or correct devices_dir)
                """)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sluice-devices-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = configurationError("devices_dir: \(directory.path)\n")
        #expect(empty?.line == 1)
        #expect(empty?.code == .missingValue)
        try "filter: a/{device}\ntopic: t\n".write(
            to: directory.appendingPathComponent("old.yml"), atomically: true, encoding: .utf8)
        let errors = configurationErrors("devices_dir: \(directory.path)\n")
        #expect(errors.map(\.code) == [.missingValue, .invalidValue])
        #expect(errors.last?.message == "device profile 'old.yml' is not loaded: only *.yaml files are")
        #expect(errors.last?.fix == "rename it to old.yaml")
    }

    @Test(
        "checks across files: one filter per profile, no profile writing to dead letters; each profile's errors in its own file"
    )
    func acrossProfiles() {
        let folder = Fixture.path("conflicting-devices")
        let errors = configurationErrors("devices_dir: conflicting-devices\n")
        #expect(
            errors.map(\.description) == [
                "\(folder)/b-sensor.yaml:2:9: error: filter: expected a filter no other profile has, found 'sensors/+/env', also the filter of \(folder)/a-sensor.yaml:1 (fix: merge the two profiles, or make their filters differ)",
                "\(folder)/c-rejects.yaml:2:8: error: topic: expected a topic other than the dead-letter topic, found '_dead_letters' (fix: write to another topic; rejected messages reach _dead_letters on their own)",
                "\(folder)/d-broken.yaml:3:9: error: format: expected json or raw, found 'jsn' (fix: did you mean json?)",
            ])
    }
}
