import Foundation
import SluiceLog
import Testing

@testable import SluiceConfiguration

@Suite("The shipped config/sluice.yaml, devices/*.yaml and config/mosquitto.conf")
struct ShippedConfigurationTests {
    let configurationFile = repositoryRoot + "/config/sluice.yaml"
    let devicesFolder = repositoryRoot + "/config/../devices"

    @Test("config/sluice.yaml loads from the repository with its device profiles, sorted by name")
    func loads() throws {
        let configuration = try SluiceConfiguration.load(file: configurationFile)
        #expect(configuration.devicesDirectory == devicesFolder)
        #expect(
            configuration.profiles.map(\.name) == ["energy-meter", "env-sensor", "gps-tracker", "vibration-sensor"])
        #expect(configuration.profiles.map(\.topic) == ["energy", "telemetry", "positions", "vibration"])
    }

    @Test("every setting the example documents as a default is the model's default; the rest are the documented values")
    func documentedValues() throws {
        let configuration = try SluiceConfiguration.load(file: configurationFile)
        var expected = SluiceConfiguration()
        expected.gatewayID = "gw-0001"
        expected.devicesDirectory = devicesFolder
        expected.profiles = configuration.profiles
        expected.metrics = MetricsSettings()
        func topic(_ change: (inout TopicConfiguration) -> Void) -> TopicConfiguration {
            var topic = expected.topicDefaults
            change(&topic)
            return topic
        }
        expected.topics = [
            "telemetry": topic {
                $0.partitionCount = 6
                $0.retention = .seconds(3 * 86_400)
            },
            "energy": topic {
                $0.partitionCount = 1
                $0.retention = .seconds(30 * 86_400)
            },
            "positions": topic { $0.retention = .seconds(2 * 86_400) },
            "vibration": topic {
                $0.segmentBytes = 64 << 20
                $0.retention = .seconds(86_400)
                $0.retentionBytes = 2 << 30
                $0.compression = .lz4
            },
        ]
        #expect(configuration == expected)
    }

    @Test("env-sensor: device from the topic, JSON checked by schema, device time in milliseconds")
    func envSensor() throws {
        let profile = try DeviceProfile.load(file: repositoryRoot + "/devices/env-sensor.yaml")
        #expect(profile.filter.description == "sensors/{device}/env")
        #expect(profile.deviceID == .topicWildcard("device"))
        #expect(profile.topic == "telemetry")
        #expect(
            profile.format
                == .json(
                    JSONSchema(fields: [
                        JSONFieldRule(name: "temp", type: .number), JSONFieldRule(name: "hum", type: .number),
                        JSONFieldRule(name: "pres", type: .number, isRequired: false),
                        JSONFieldRule(name: "battery", type: .number, isRequired: false),
                        JSONFieldRule(name: "ts", type: .integer),
                    ])))
        #expect(profile.timestamp == TimestampField(name: "ts", unit: .milliseconds))
    }

    @Test("energy-meter: one topic per site, so the device id is the meter_id field; RFC 3339 time")
    func energyMeter() throws {
        let profile = try DeviceProfile.load(file: repositoryRoot + "/devices/energy-meter.yaml")
        #expect(profile.filter.subscriptionFilter == "energy/+/meter")
        #expect(profile.deviceID == .payloadField("meter_id"))
        #expect(profile.topic == "energy")
        guard case .json(let schema) = profile.format else {
            Issue.record("expected json")
            return
        }
        #expect(
            schema.fields.filter(\.isRequired).map(\.name) == [
                "meter_id", "time", "kwh_total", "power_w", "voltage_v", "current_a",
            ])
        #expect(profile.timestamp == TimestampField(name: "time", unit: .rfc3339))
    }

    @Test("gps-tracker: position fixes with the GPS time in seconds")
    func gpsTracker() throws {
        let profile = try DeviceProfile.load(file: repositoryRoot + "/devices/gps-tracker.yaml")
        #expect(profile.filter.description == "trackers/{device}/position")
        #expect(profile.topic == "positions")
        guard case .json(let schema) = profile.format else {
            Issue.record("expected json")
            return
        }
        #expect(schema.fields.map(\.name) == ["lat", "lon", "speed", "heading", "sats", "ts"])
        #expect(profile.timestamp == TimestampField(name: "ts", unit: .seconds))
    }

    @Test("vibration-sensor: raw binary frames bounded by the frame layout")
    func vibrationSensor() throws {
        let profile = try DeviceProfile.load(file: repositoryRoot + "/devices/vibration-sensor.yaml")
        #expect(profile.filter.description == "vibration/{device}/raw")
        #expect(profile.topic == "vibration")
        #expect(profile.format == .raw(minBytes: 22, maxBytes: 8192))
        #expect(profile.timestamp == nil)
    }

    @Test(
        "mosquitto.conf: one loopback listener line tests can rewrite; queues bounded by bytes, not by the default 1000 messages"
    )
    func mosquitto() throws {
        let text = try String(contentsOfFile: repositoryRoot + "/config/mosquitto.conf", encoding: .utf8)
        let settings = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(settings.filter { $0.hasPrefix("listener ") } == ["listener 1883 127.0.0.1"])
        #expect(settings.contains("max_queued_messages 0"))
        #expect(settings.contains("max_queued_bytes 268435456"))
        #expect(settings.contains("max_inflight_messages 1000"))
        #expect(settings.contains("allow_anonymous true"))
    }
}
