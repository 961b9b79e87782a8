import Foundation
import SluiceLog
import Testing

@testable import SluiceConfiguration

@Suite("Loading sluice.yaml: defaults, values and errors on the exact line")
struct SluiceConfigurationLoadingTests {
    let file = Fixture.configurationFile

    @Test(
        "every key is optional: a file naming only its devices gets the model's defaults, the gateway id the host name")
    func defaults() throws {
        let configuration = try loadConfiguration("devices_dir: devices\n")
        var expected = SluiceConfiguration()
        expected.gatewayID = ProcessInfo.processInfo.hostName
        expected.devicesDirectory = Fixture.folder + "/devices"
        expected.profiles = configuration.profiles
        #expect(configuration == expected)
        #expect(configuration.profiles.map(\.name) == ["room-sensor", "smart-plug"])
    }

    @Test("a section left empty (`mqtt:` alone) is the section's defaults")
    func emptySection() throws {
        #expect(try loadConfiguration("devices_dir: devices\nmqtt:\nlog:\n").mqtt == MQTTSettings())
    }

    @Test("values are read: sizes and durations with units, nested sections, lists, null for 'no limit'")
    func values() throws {
        let configuration = try loadConfiguration(
            """
            devices_dir: devices
            gateway_id: gw-0042
            data_dir: data
            mqtt:
              host: broker.local
              port: 8883
              client_id: sluice-gw-0042
              protocol: "5"
              qos: 2
              keepalive: 1m
              extra_subscriptions: ["legacy/#", "+/status"]
              max_payload_bytes: 64KiB
              reconnect: { min: 500ms, max: 1m }
            log: { fsync: always }
            topic_defaults: { partitions: 2, retention: null, retention_bytes: 1GiB, segment_duration: null, compression: lz4 }
            topics:
              telemetry: { partitions: 8 }
            dead_letters: { topic: rejected, retention: 1d }
            """)
        #expect(configuration.gatewayID == "gw-0042")
        #expect(configuration.dataDirectory == Fixture.folder + "/data")
        var mqtt = MQTTSettings()
        mqtt.host = "broker.local"
        mqtt.port = 8883
        mqtt.clientID = "sluice-gw-0042"
        mqtt.protocolVersion = .v5
        mqtt.qos = 2
        mqtt.keepalive = .seconds(60)
        mqtt.extraSubscriptions = ["legacy/#", "+/status"]
        mqtt.maxPayloadBytes = 64 << 10
        mqtt.reconnectMinimum = .milliseconds(500)
        mqtt.reconnectMaximum = .seconds(60)
        #expect(configuration.mqtt == mqtt)
        #expect(configuration.log.fsync == .always)
        var defaults = TopicConfiguration(partitionCount: 2)
        defaults.retention = nil
        defaults.retentionBytes = 1 << 30
        defaults.segmentDuration = nil
        defaults.compression = .lz4
        #expect(configuration.topicDefaults == defaults)
        var telemetry = defaults
        telemetry.partitionCount = 8
        #expect(configuration.topics == ["telemetry": telemetry], "a topic takes the defaults for what it does not set")
        #expect(configuration.deadLetters.topic == "rejected")
        var deadLetters = defaults
        deadLetters.partitionCount = 1
        deadLetters.retention = .seconds(86_400)
        #expect(
            configuration.deadLetters.configuration == deadLetters, "dead letters take the defaults, but one partition")
    }

    @Test("fsync: interval takes flush_interval; always and never ignore it, so switching needs no other edit")
    func fsyncPolicies() throws {
        #expect(
            try loadConfiguration("devices_dir: devices\nlog: { flush_interval: 1s }").log.fsync
                == .interval(.seconds(1)))
        #expect(
            try loadConfiguration("devices_dir: devices\nlog: { fsync: interval }").log.fsync
                == .interval(.milliseconds(250)))
        #expect(
            try loadConfiguration("devices_dir: devices\nlog: { fsync: never, flush_interval: 1s }").log.fsync == .never
        )
        #expect(
            try loadConfiguration("devices_dir: devices\nlog: { fsync: always }").topicConfiguration("telemetry").fsync
                == .always)
    }

    @Test("password_file is read into password without its trailing newline, relative to the configuration file")
    func passwordFile() throws {
        let configuration = try loadConfiguration(
            """
            devices_dir: devices
            mqtt: { username: sluice, password_file: mqtt-password }
            """)
        #expect(configuration.mqtt.username == "sluice")
        #expect(configuration.mqtt.password == "s3cret")
    }

    @Test("a missing password file is an error on the line that names it")
    func missingPasswordFile() {
        let error = configurationError(
            """
            devices_dir: devices
            mqtt:
              username: sluice
              password_file: /nonexistent/mqtt-password
            """)
        #expect(
            error?.description == """
                \(file):4:18: error: mqtt.password_file: file '/nonexistent/mqtt-password' does not exist \
                (fix: create it, or correct the path)
                """)
        #expect(error?.code == .fileNotFound)
    }

    @Test("a password file without a user name, or an empty one, is refused")
    func passwordProblems() {
        let withoutUser = configurationError("devices_dir: devices\nmqtt:\n  password_file: mqtt-password\n")
        #expect(withoutUser?.code == .conflict)
        #expect(withoutUser?.line == 3)
        let empty = configurationError("devices_dir: devices\nmqtt:\n  username: u\n  password_file: empty-password\n")
        #expect(
            empty?.message
                == "mqtt.password_file: expected a password in '\(Fixture.folder)/empty-password', found an empty file")
        #expect(empty?.line == 4)
    }

    @Test("TLS needs a CA file that exists; a client certificate needs its key")
    func tls() throws {
        let configuration = try loadConfiguration(
            "devices_dir: devices\nmqtt:\n  tls: { ca_file: mqtt-password, insecure: true }\n")
        #expect(configuration.mqtt.tls == TLSSettings(caFile: Fixture.folder + "/mqtt-password", isInsecure: true))
        let missingCA = configurationError("devices_dir: devices\nmqtt:\n  tls:\n    insecure: false\n")
        #expect(
            missingCA?.description == """
                \(file):3:3: error: mqtt.tls.ca_file is required but missing \
                (fix: add ca_file: /etc/ssl/certs/ca-certificates.crt to trust the system's CAs)
                """)
        let errors = configurationErrors(
            "devices_dir: devices\nmqtt:\n  tls:\n    ca_file: nowhere.pem\n    cert_file: mqtt-password\n")
        #expect(errors.map(\.code) == [.fileNotFound, .conflict])
        #expect(errors.map(\.line) == [4, 5])
    }
}
