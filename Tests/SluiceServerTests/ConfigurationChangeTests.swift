import Foundation
import SluiceConfiguration
import Testing

@testable import SluiceServer

/// What a SIGHUP reload applies (device profiles, settings of topics not yet open) and what it
/// names as needing a restart.
@Suite("Configuration changes on reload")
struct ConfigurationChangeTests {
    static let sensor = """
        filter: "sensors/{device}/env"
        device_id: { from: topic, wildcard: device }
        topic: telemetry
        format: json
        schema: { temp: number }
        """
    static let meter = """
        filter: "meters/{device}/energy"
        device_id: { from: topic, wildcard: device }
        topic: energy
        format: json
        schema: { kwh: number }
        """

    /// A configuration folder whose file and device profiles are rewritten for each load, as an
    /// operator edits them before `systemctl reload`.
    final class ConfigurationFolder {
        let directory = NSTemporaryDirectory() + "sluice-change-\(UUID().uuidString)"

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        /// Loads `yaml` with exactly `profiles` (name → file text) in its device directory.
        func load(_ yaml: String, profiles: [String: String]) throws -> SluiceConfiguration {
            try? FileManager.default.removeItem(atPath: directory + "/devices")
            try FileManager.default.createDirectory(atPath: directory + "/devices", withIntermediateDirectories: true)
            for (name, text) in profiles { try text.write(toFile: "\(directory)/devices/\(name).yaml", atomically: true, encoding: .utf8) }
            return try SluiceConfiguration.load(yaml: "devices_dir: devices\n" + yaml, file: directory + "/sluice.yaml")
        }
    }

    @Test("the same configuration read twice is no change")
    func unchanged() throws {
        let folder = ConfigurationFolder()
        let old = try folder.load("mqtt: { port: 1884 }\n", profiles: ["env-sensor": Self.sensor])
        let new = try folder.load("mqtt: { port: 1884 }\n", profiles: ["env-sensor": Self.sensor])
        let change = ConfigurationChange(from: old, to: new)
        #expect(change.isEmpty && !change.changesProfiles, "\(change)")
    }

    @Test("added, removed and changed profiles are applied; a new topic's settings come with it")
    func profiles() throws {
        let folder = ConfigurationFolder()
        let old = try folder.load("", profiles: ["env-sensor": Self.sensor, "old-plug": Self.sensor.replacingOccurrences(of: "sensors/", with: "plugs/")])
        let new = try folder.load(
            "topics: { energy: { partitions: 1 } }\n",
            profiles: ["env-sensor": Self.sensor.replacingOccurrences(of: "temp: number", with: "temp: integer"), "energy-meter": Self.meter])
        let change = ConfigurationChange(from: old, to: new)
        #expect(change.addedProfiles == ["energy-meter"])
        #expect(change.removedProfiles == ["old-plug"])
        #expect(change.changedProfiles == ["env-sensor"])
        #expect(change.needsRestart.isEmpty, "energy was not open, so its settings apply now: \(change.needsRestart)")
        #expect(change.changesProfiles)
    }

    @Test("connection, log, listener, upstream and open topics' settings need a restart, by name")
    func restartOnly() throws {
        let folder = ConfigurationFolder()
        let old = try folder.load("mqtt: { port: 1884 }\nlog: { fsync: interval }\n", profiles: ["env-sensor": Self.sensor])
        let new = try folder.load(
            """
            mqtt: { port: 1885 }
            log: { fsync: always }
            topics: { telemetry: { partitions: 12 } }
            kafka_listener: {}
            upstream: { bootstrap_servers: "k:9092" }
            """, profiles: ["env-sensor": Self.sensor])
        let change = ConfigurationChange(from: old, to: new)
        #expect(change.needsRestart == ["mqtt", "log", "upstream", "kafka_listener", "topics.telemetry"])
        #expect(!change.changesProfiles)
    }

    @Test("a new profile's topic is forwarded only after a restart, and says so")
    func newTopicForwarded() throws {
        let folder = ConfigurationFolder()
        let upstream = "upstream: { bootstrap_servers: \"k:9092\" }\n"
        let old = try folder.load(upstream, profiles: ["env-sensor": Self.sensor])
        let new = try folder.load(upstream, profiles: ["env-sensor": Self.sensor, "energy-meter": Self.meter])
        let change = ConfigurationChange(from: old, to: new)
        #expect(change.addedProfiles == ["energy-meter"])
        #expect(change.needsRestart == ["upstream (to forward the new topic energy)"])
    }
}
