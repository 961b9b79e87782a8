import Foundation
import SluiceLog
import SluiceTestKit
import Testing

/// `sluice run` with MQTT ingest, a stream job, the Kafka listener and the metrics endpoint: what
/// MQTT devices publish and what the job derives from it is read by Kafka clients, and a consumer
/// group's lag shows in the metrics.
@Suite("The Kafka listener of sluice run, end to end")
struct KafkaListenerEndToEndTests {
    static let devices = 30
    static let messages = 3_000

    /// `seq` of a reading's JSON text.
    static func sequence(in text: String) -> Int? {
        IngestFixture.sequence(of: Record(timestamp: 0, key: nil, value: Array(text.utf8)))
    }

    @Test("kcat reads what MQTT devices published, confluent-kafka the stream job's output, and a group's lag is in the metrics")
    func ingestStreamAndGroupThroughTheListener() throws {
        let kafkaPort = TestEnvironment.freePort()
        let metricsPort = TestEnvironment.freePort()
        let extra = """
            kafka_listener:
              listen: 127.0.0.1:\(kafkaPort)
              group_initial_rebalance_delay: 100ms
            metrics:
              listen: 127.0.0.1:\(metricsPort)
            streams:
              warm:
                input: telemetry
                output: telemetry-warm
                checkpoint_interval: 200ms
                operators:
                  - filter: "temp >= 22.5"
                  - project: { keep: [temp, seq], add_key: device }

            """
        let fixture = try IngestFixture(extraYAML: extra)
        defer { fixture.remove() }
        try fixture.daemon.start()
        defer { fixture.daemon.stop() }
        try fixture.daemon.waitUntilConnected()
        #expect(TestEnvironment.waitUntil(timeout: .seconds(20)) { TestEnvironment.isListening(port: kafkaPort) })
        let bootstrap = "127.0.0.1:\(kafkaPort)"

        #expect(try IngestFixture.publish(port: fixture.broker.port, range: 0..<Self.messages, devices: Self.devices))
        #expect(try fixture.waitForRecords(Self.messages))
        let warm = (0..<Self.messages).filter { $0 % 50 >= 25 }  // temp = 20 + (seq % 50) / 10
        #expect(try fixture.waitForRecords(warm.count, topic: "telemetry-warm", timeout: .seconds(60)))

        // kcat on Debian's own librdkafka (2.0.2): every message, keyed by device, in its murmur2
        // partition, in publish order per device, with the device's time and the MQTT headers.
        let kcat = try HostCommand.run(
            "/usr/bin/kcat", ["-C", "-b", bootstrap, "-t", "telemetry", "-o", "beginning", "-e", "-q", "-f", "%p\t%o\t%k\t%T\t%h\t%s\n"])
        #expect(kcat.status == 0, "\(kcat.standardError)")
        var lastSequence: [String: Int] = [:]
        var seen = Set<Int>()
        var recordsPerPartition: [Int: Int] = [:]
        for line in kcat.standardOutput.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 6, let partition = Int(fields[0]), let sequence = Self.sequence(in: fields[5])
            else {
                Issue.record("unexpected kcat line: \(line)")
                continue
            }
            let device = IngestFixture.device(sequence % Self.devices)
            #expect(fields[2] == device)
            #expect(partition == KeyPartitioner.partition(forKey: Array(device.utf8), partitionCount: IngestFixture.partitions))
            #expect(fields[3] == String(1_700_000_000_000 + Int64(sequence)), "the device's own time")
            #expect(fields[4].contains("mqtt.topic=sensors/\(device)/env"), "\(fields[4])")
            #expect(fields[5] == String(decoding: IngestFixture.payload(device: sequence % Self.devices, sequence: sequence), as: UTF8.self))
            #expect(lastSequence[device].map { $0 < sequence } ?? true, "per-device order")
            lastSequence[device] = sequence
            seen.insert(sequence)
            recordsPerPartition[partition, default: 0] += 1
        }
        #expect(seen == Set(0..<Self.messages), "every message once")

        // confluent-kafka (librdkafka 2.16) reads the stream job's output like any other topic.
        let output = try KafkaReader.readTopic("telemetry-warm", bootstrapServers: bootstrap, expectedCount: warm.count)
        #expect(output.count == warm.count)
        var outputSequences: [Int] = []
        for record in output {
            let value = try #require(record.valueString)
            let sequence = try #require(Self.sequence(in: value))
            let device = IngestFixture.device(sequence % Self.devices)
            #expect(record.keyString == device, "the output keeps the input's key")
            #expect(value == #"{"temp":\#(20 + Double(sequence % 50) / 10),"seq":\#(sequence),"device":"\#(device)"}"#)
            #expect(record.header("sluice.source_offset") != nil)
            outputSequences.append(sequence)
        }
        #expect(outputSequences.sorted() == warm, "each warm reading once, nothing else")

        // The job's progress and lag in the terminal (status.json is refreshed every 2 s).
        let line = "stream warm → telemetry-warm: \(Self.messages) in, \(warm.count) out, 0 late, lag 0 records (0.0 s)"
        var status = ""
        #expect(TestEnvironment.waitUntil(timeout: .seconds(20)) {
            status = (try? SluiceBinary.run(["status", "--runtime-dir", fixture.daemon.runtimeDirectory]))?.standardOutput ?? ""
            return status.contains(line)
        }, "\(status)")

        // A consumer group reads 1000 records committing each; the metrics show, per partition it
        // committed in, the records after its committed offset.
        let group = try HostCommand.run(
            TestEnvironment.repositoryRoot + "/.venv/bin/python",
            [TestEnvironment.repositoryRoot + "/scripts/kafka-group-check.py", "read-group", "--bootstrap", bootstrap,
             "--topic", "telemetry", "--group", "dashboard", "--limit", "1000"])
        #expect(group.status == 0, "\(group.standardError)")
        let read = try #require(
            (try JSONSerialization.jsonObject(with: Data(group.standardOutput.utf8)) as? [String: [[Int]]])?["records"])
        #expect(read.count == 1000)
        var expectedLag: [String: Double] = [:]
        for position in read {
            let name = #"sluice_consumer_group_lag_records{group="dashboard",topic="telemetry",partition="\#(position[0])"}"#
            let lag = Double(recordsPerPartition[position[0], default: 0] - (position[1] + 1))
            expectedLag[name] = min(expectedLag[name] ?? lag, lag)
        }
        var lags: [String: Double] = [:]
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) {
            let metrics = OperationsEndToEndTests.samples((try? HTTPProbe.get("http://127.0.0.1:\(metricsPort)/metrics"))?.body ?? "")
            lags = metrics.filter { $0.key.hasPrefix(#"sluice_consumer_group_lag_records{group="dashboard""#) }
            return lags == expectedLag
        }, "lag \(lags), expected \(expectedLag)")
        #expect(expectedLag.values.reduce(0, +) + Double(1000) <= Double(Self.messages))
        #expect(fixture.daemon.stop() == 0)
    }
}
