import ArgumentParser
import SluiceConfiguration
import SluiceLog

/// `sluice check-config`: validates the configuration and device profiles without running.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check the configuration and device profiles; print what would run, or every problem with its file and line.",
        discussion: "Exit status 0 when valid, 1 otherwise. Example: sluice check-config --config config/sluice.yaml"
    )

    @OptionGroup var configurationOption: ConfigurationOption

    func run() throws {
        let configuration = try configurationOption.load()
        print("\(configurationOption.config): ok")
        print("broker \(configuration.mqtt.host):\(configuration.mqtt.port) as '\(configuration.mqtt.clientID)', MQTT \(configuration.mqtt.protocolVersion.rawValue), QoS \(configuration.mqtt.qos)")
        print("data directory \(configuration.dataDirectory), fsync \(configuration.log.fsync)")
        for profile in configuration.profiles {
            let partitions = configuration.topicConfiguration(profile.topic).partitionCount
            print("device class \(profile.name): \(profile.filter) → topic \(profile.topic) (\(partitions) partitions)")
        }
        print("dead letters → \(configuration.deadLetters.topic)")
        for job in configuration.streams {
            print("stream job \(job.name): \(job.inputs.joined(separator: ", ")) → \(job.operators.map(\.name).joined(separator: " → ")) → topic \(job.output)")
        }
    }
}
