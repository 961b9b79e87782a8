import Foundation
import SluiceLog
import SluiceMQTT
import SluiceTestKit
import Testing

/// A real mosquitto plus `sluice run` configured for one test, and helpers to publish and read back.
struct IngestFixture {
    let broker: MosquittoBroker
    let daemon: SluiceDaemonProcess
    static let partitions = 4

    /// An environment sensor profile: device id from the topic, JSON with a schema, device time in ms.
    static let sensorProfile = """
        filter: "sensors/{device}/env"
        device_id: { from: topic, wildcard: device }
        topic: telemetry
        format: json
        schema:
          temp: number
          seq: integer
          ts: integer
        timestamp: { field: ts, unit: milliseconds }
        """

    init(
        fsync: String = "interval", protocolVersion: String = "3.1.1", extraSubscriptions: [String] = [], environment: [String: String] = [:],
        extraYAML: String = ""
    ) throws {
        broker = try MosquittoBroker()
        let extra = extraSubscriptions.isEmpty ? "" : "  extra_subscriptions: [\(extraSubscriptions.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        let yaml = """
            mqtt:
              host: 127.0.0.1
              port: \(broker.port)
              client_id: sluice-test
              protocol: "\(protocolVersion)"
              reconnect: { min: 1s, max: 2s }
              qos: 1
            \(extra)log:
              fsync: \(fsync)
              flush_interval: 100ms
            topic_defaults:
              partitions: \(Self.partitions)
            """
        daemon = try SluiceDaemonProcess(yaml: yaml + "\n" + extraYAML, profiles: ["env-sensor": Self.sensorProfile], environment: environment)
    }

    func remove() {
        daemon.remove()
        broker.stop()
    }

    static func device(_ index: Int) -> String { "dev-\(String(repeating: "0", count: max(0, 4 - String(index).count)))\(index)" }

    static func payload(device: Int, sequence: Int) -> [UInt8] {
        Array(#"{"device":"\#(Self.device(device))","temp":\#(20 + Double(sequence % 50) / 10),"seq":\#(sequence),"ts":\#(1_700_000_000_000 + Int64(sequence))}"#.utf8)
    }

    /// Publishes `count` messages from `devices` devices in turn (message n: device n % devices, seq n).
    /// Returns whether the broker acknowledged every message.
    @discardableResult
    static func publish(port: Int, range: Range<Int>, devices: Int, clientID: String = "test-publisher") throws -> Bool {
        let publisher = try MQTTPublisher(host: "127.0.0.1", port: port, clientID: clientID, qos: 1, window: 500)
        for sequence in range {
            let device = sequence % devices
            try publisher.publish(topic: "sensors/\(Self.device(device))/env", payload: payload(device: device, sequence: sequence))
        }
        let acknowledged = try publisher.flush(timeout: .seconds(60))
        publisher.disconnect()
        return acknowledged
    }

    /// Every record of a topic, by partition, read with a read-only log.
    func records(topic: String) throws -> [[Record]] {
        let log = try LogManager(directory: daemon.dataDirectory, readOnly: true)
        guard let count = try log.existingTopics()[topic] else { return [] }
        return try log.openTopic(topic, configuration: TopicConfiguration(partitionCount: count)).map { partition in
            var records: [Record] = []
            var offset = partition.logStartOffset
            while offset < partition.highWatermark {
                let chunk = try partition.records(from: offset, maxBytes: 1 << 20)
                guard let last = chunk.last else { break }
                records += chunk
                offset = last.offset + 1
            }
            return records
        }
    }

    /// Records in a topic, by its partitions' offsets (read-only; cheap).
    func recordCount(topic: String) throws -> Int {
        let log = try LogManager(directory: daemon.dataDirectory, readOnly: true)
        guard let count = try log.existingTopics()[topic] else { return 0 }
        return try log.openTopic(topic, configuration: TopicConfiguration(partitionCount: count))
            .reduce(0) { $0 + Int($1.highWatermark - $1.logStartOffset) }
    }

    /// Waits (polling every 200 ms) until `topic` holds at least `count` records.
    func waitForRecords(_ count: Int, topic: String = "telemetry", timeout: Duration = .seconds(120)) throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try recordCount(topic: topic) >= count { return true }
            usleep(200_000)
        }
        return try recordCount(topic: topic) >= count
    }

    /// Parses `seq` from a stored payload.
    static func sequence(of record: Record) -> Int? {
        guard let value = record.value, let text = String(validating: value, as: UTF8.self),
            let range = text.range(of: #""seq":"#)
        else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
