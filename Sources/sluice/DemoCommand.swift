import ArgumentParser
import Foundation
import SluiceLog

/// `sluice demo`: writes simulated telemetry into a fresh log, reads it back, and says what happened.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write simulated sensor telemetry into a fresh log, read it back, and print what happened.",
        discussion: """
            Devices are keyed into partitions with Kafka's murmur2 partitioner, readings are appended in
            bursts as batches (one batch per burst and partition), then everything is read back and
            checked record by record, per-device order included. Finally the log is reopened to show
            recovery. The data directory is wiped first.
            """
    )

    @Option(help: "Data directory for the demo log (wiped first).")
    var dataDir = "demo-data"
    @Option(help: "Number of simulated devices.")
    var devices = 100
    @Option(help: "Number of readings to write.")
    var readings = 50_000
    @Option(help: "Partitions of the demo topic.")
    var partitions = 3
    @Option(help: "Readings per burst (an MQTT read burst becomes one batch per partition).")
    var burst = 500
    @Option(help: "Batch compression: none, lz4 or zstd.")
    var compression = "zstd"

    func validate() throws {
        guard devices > 0, readings > 0, burst > 0 else { throw ValidationError("--devices, --readings and --burst must be positive") }
        guard (1...64).contains(partitions) else { throw ValidationError("--partitions must be 1…64") }
        guard let codec = CompressionCodec(name: compression), codec.isWritable else {
            throw ValidationError("--compression must be none, lz4 or zstd, not '\(compression)'")
        }
    }

    func run() throws {
        let codec = CompressionCodec(name: compression)!
        try? FileManager.default.removeItem(atPath: dataDir)
        var configuration = TopicConfiguration(partitionCount: partitions)
        configuration.compression = codec
        configuration.segmentBytes = 64 * 1024  // small, so the demo shows several segments
        print("Sluice demo: \(devices) simulated sensors, \(readings) readings → topic \"telemetry\", \(partitions) partitions, \(codec), fsync \(configuration.fsync)")
        print("data directory: \(dataDir)")

        let log = try LogManager(directory: dataDir)
        let topic = try log.openTopic("telemetry", configuration: configuration)
        var simulator = TelemetrySimulator(deviceCount: devices)
        let start = LogClock.nowMillis() - Int64(readings) * 10
        var written: [[Record]] = Array(repeating: [], count: partitions)
        var payloadBytes = 0
        let clock = ContinuousClock()
        let began = clock.now
        var produced = 0
        while produced < readings {
            var bursts: [[Record]] = Array(repeating: [], count: partitions)
            for _ in 0..<min(burst, readings - produced) {
                let reading = simulator.nextReading(timestamp: start + Int64(produced) * 10)
                let key = Array(reading.device.utf8)
                let record = Record(
                    timestamp: reading.timestamp, key: key, value: Array(reading.json.utf8),
                    headers: [RecordHeader(key: "mqtt.topic", value: Array("sensors/\(reading.device)/env".utf8))])
                bursts[KeyPartitioner.partition(forKey: key, partitionCount: partitions)].append(record)
                payloadBytes += record.value!.count
                produced += 1
            }
            for (index, records) in bursts.enumerated() where !records.isEmpty {
                let result = try topic[index].append(records)
                written[index] += records.enumerated().map { offset, record in
                    var numbered = record
                    numbered.offset = result.baseOffset + Int64(offset)
                    return numbered
                }
            }
            try log.flushDue()
        }
        try log.flushAll()
        let seconds = Double((clock.now - began).components.attoseconds) / 1e18 + Double((clock.now - began).components.seconds)
        print()
        print("wrote \(readings) records in \(log.statistics.appendedBatches) batches in \(format(seconds, 3)) s (\(Int(Double(readings) / max(seconds, 1e-9))) records/s), \(log.statistics.fsyncs) fsyncs")
        var diskBytes = 0
        for partition in topic {
            diskBytes += partition.sizeBytes
            print("  partition \(partition.index): offsets \(partition.logStartOffset)…\(partition.highWatermark - 1), \(partition.segmentCount) segments, \(partition.sizeBytes) bytes")
        }
        print("payload \(payloadBytes) bytes → \(diskBytes) bytes in segments: \(format(Double(diskBytes) / Double(payloadBytes), 2))× (\(format(Double(diskBytes) / Double(readings), 1)) bytes per record)")

        // Read everything back and compare.
        var readBack = 0
        for partition in topic {
            var offset = partition.logStartOffset
            var records: [Record] = []
            while offset < partition.highWatermark {
                let chunk = try partition.records(from: offset, maxBytes: 64 * 1024)
                records += chunk
                offset = chunk.last!.offset + 1
            }
            guard records == written[partition.index] else {
                throw CommandFailure("partition \(partition.index): what was read back differs from what was written")
            }
            readBack += records.count
        }
        print("read back \(readBack) records: every key, value, header, timestamp and offset matches; per-device order kept")

        let sample = try topic[0].records(from: 0, maxBytes: 1).prefix(3)
        print("first records of partition 0:")
        for record in sample {
            print("  offset \(record.offset)  ts \(record.timestamp)  key \(String(decoding: record.key ?? [], as: UTF8.self))  \(String(decoding: record.value ?? [], as: UTF8.self))")
        }
        let middle = start + Int64(readings / 2) * 10
        let found = try topic.map { try $0.offset(forTimestamp: middle).map(String.init) ?? "none" }
        print("first offset at or after ts \(middle), per partition: \(found.joined(separator: ", "))")

        let highWatermarks = topic.map(\.highWatermark)
        try log.close()
        let reopened = try LogManager(directory: dataDir)
        let again = try reopened.openTopic("telemetry", configuration: configuration)
        let scanned = reopened.recoveries.values.reduce(0) { $0 + $1.scannedBytes }
        let truncated = reopened.recoveries.values.reduce(0) { $0 + $1.truncatedBytes }
        print("reopened: recovery scanned \(scanned) bytes (active segments only), truncated \(truncated); high watermarks \(again.map(\.highWatermark) == highWatermarks ? "unchanged" : "CHANGED")")
        try reopened.close()
        print()
        print("look inside: sluice dump-log --records \(dataDir)/telemetry-0/00000000000000000000.log | head")
    }

    private func format(_ value: Double, _ places: Int) -> String { String(format: "%.\(places)f", value) }
}
