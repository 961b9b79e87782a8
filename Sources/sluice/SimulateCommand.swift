import ArgumentParser
import Foundation
import SluiceConfiguration
import SluiceLog
import SluiceMQTT

/// `sluice simulate`: a fleet of simulated devices publishing over MQTT.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Publish realistic telemetry from simulated devices of the configured device classes over MQTT.",
        discussion: """
            Devices are spread over the device classes of the configuration's devices directory; each
            publishes to its class's topic with a payload that follows its schema, values drifting like
            real sensors. --malformed adds broken messages (truncated JSON, wrong types, invalid UTF-8,
            empty, unknown topics, oversize) that Sluice must send to its dead-letter topic.

            Examples:
              sluice simulate --config config/sluice.yaml --devices 1000 --rate 1000 --duration 60
              sluice simulate --config config/sluice.yaml --count 100000 --rate 0 --malformed 1
            """
    )

    @OptionGroup var configurationOption: ConfigurationOption
    @Option(help: "Broker host (default: the configuration's).")
    var host: String?
    @Option(help: "Broker port (default: the configuration's).")
    var port: Int?
    @Option(help: "Number of simulated devices.")
    var devices = 100
    @Option(help: "Messages per second in total; 0 = as fast as the broker takes them.")
    var rate: Double = 100
    @Option(help: "Stop after this many seconds.")
    var duration: Double?
    @Option(help: "Stop after this many messages.")
    var count: Int?
    @Option(help: "Percent of messages to damage on purpose.")
    var malformed: Double = 0
    @Option(help: "QoS to publish with.")
    var qos = 1
    @Option(help: "Random seed (same seed, same messages).")
    var seed: UInt64 = 1
    @Option(help: "Print progress every this many seconds; 0 = only the summary.")
    var reportEvery: Double = 5

    func validate() throws {
        guard devices > 0 else { throw ValidationError("--devices must be positive") }
        guard rate >= 0 else { throw ValidationError("--rate must be 0 or more") }
        guard (0...2).contains(qos) else { throw ValidationError("--qos must be 0, 1 or 2") }
        guard (0...100).contains(malformed) else { throw ValidationError("--malformed is a percentage, 0…100") }
        if duration == nil && count == nil && rate == 0 { throw ValidationError("with --rate 0 give --count or --duration") }
    }

    func run() throws {
        let configuration = try configurationOption.load()
        guard !configuration.profiles.isEmpty else { throw CommandFailure("no device profiles in \(configuration.devicesDirectory)") }
        var fleet = SimulatedFleet(
            profiles: configuration.profiles, deviceCount: devices, malformedPercent: malformed,
            maxPayloadBytes: configuration.mqtt.maxPayloadBytes, seed: seed)
        let host = self.host ?? configuration.mqtt.host
        let port = self.port ?? configuration.mqtt.port
        let publisher = try MQTTPublisher(host: host, port: port, clientID: "sluice-simulator-\(getpid())", qos: qos)
        let clock = ContinuousClock()
        let start = clock.now
        var lastReport = start
        var sent = 0
        var damaged: [String: Int] = [:]
        while true {
            let elapsed = clock.now - start
            if let count, sent >= count { break }
            if let duration, elapsed >= .milliseconds(Int64(duration * 1000)) { break }
            if rate > 0 {
                let due = Int(elapsed.seconds * rate)
                if sent >= due {
                    try publisher.pump(timeoutMilliseconds: Int32(max(1, min(100, 1000 / rate))))
                    continue
                }
            }
            let message = fleet.nextMessage(nowMillis: LogClock.nowMillis())
            try publisher.publish(topic: message.topic, payload: message.payload)
            if let kind = message.malformation { damaged[kind, default: 0] += 1 }
            sent += 1
            if reportEvery > 0 && clock.now - lastReport >= .milliseconds(Int64(reportEvery * 1000)) {
                lastReport = clock.now
                print("published \(sent) (\(Int(Double(sent) / max(0.001, (clock.now - start).seconds))) msg/s), acknowledged \(publisher.acknowledged)")
            }
        }
        let allAcknowledged = try publisher.flush(timeout: .seconds(30))
        publisher.disconnect()
        let seconds = (clock.now - start).seconds
        print("published \(sent) messages from \(devices) devices in \(String(format: "%.2f", seconds)) s (\(Int(Double(sent) / max(0.001, seconds))) msg/s), QoS \(qos), \(publisher.acknowledged) acknowledged")
        if !damaged.isEmpty {
            print("malformed on purpose: " + damaged.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !allAcknowledged { throw CommandFailure("\(publisher.published - publisher.acknowledged) messages were not acknowledged by the broker within 30 s") }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
