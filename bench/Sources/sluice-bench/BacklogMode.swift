import Glibc
import SluiceLog

/// `sluice-bench --mode make-backlog`: writes a forwarding backlog into a Sluice data directory,
/// exactly as MQTT ingest stores it, plus the same records as a `kcat -P -K '\t'` input file.
/// Used by bench/upstream-drain.sh.
///
/// The records are `TelemetryGenerator`'s (key = device id, ~128 B JSON value). They are cut
/// into read bursts of `--burst` messages; each burst is split by `KeyPartitioner` (as ingest
/// does) and each part becomes one batch: `RecordBatchBuilder` with the `mqtt.topic` and
/// `mqtt.qos` headers (unless `--no-headers`), `finish`, `Partition.append(builtBatch:)`.
///
/// The kcat file holds one `key<TAB>value` line per record, in the same order (the values are
/// JSON without tabs or newlines).
enum BacklogMode {
    static let usage = """
        usage: sluice-bench --mode make-backlog --data-dir DIR [--topic telemetry] [--partitions 3] [--records 1000000]
                            [--keys 1000] [--burst 500] [--compression zstd|lz4|none] [--kcat-file PATH] [--no-headers]
        """

    static func run(_ arguments: [String]) -> Never {
        var options: [String: String] = [
            "--topic": "telemetry", "--partitions": "3", "--records": "1000000", "--keys": "1000", "--burst": "500",
            "--compression": "zstd",
        ]
        let valued: Set<String> = ["--mode", "--data-dir", "--topic", "--partitions", "--records", "--keys", "--burst", "--compression", "--kcat-file"]
        var position = 0
        while position < arguments.count {
            let name = arguments[position]
            if name == "--no-headers" {
                options[name] = "yes"
                position += 1
            } else if valued.contains(name), position + 1 < arguments.count {
                options[name] = arguments[position + 1]
                position += 2
            } else {
                fail("unknown or incomplete option \(name)\n\(usage)")
            }
        }
        guard let dataDirectory = options["--data-dir"], let topic = options["--topic"] else { fail(usage) }
        guard let partitionCount = Int(options["--partitions"]!), partitionCount > 0,
            let recordCount = Int(options["--records"]!), recordCount > 0,
            let keyCount = Int(options["--keys"]!), (1...10_000).contains(keyCount),
            let burstSize = Int(options["--burst"]!), burstSize > 0
        else { fail("--partitions, --records, --keys (≤ 10000) and --burst take positive integers") }
        let compression: CompressionCodec
        switch options["--compression"]! {
        case "zstd": compression = .zstd
        case "lz4": compression = .lz4
        case "none": compression = .none
        default: fail("--compression takes zstd, lz4 or none")
        }
        let withHeaders = options["--no-headers"] == nil

        var configuration = TopicConfiguration(partitionCount: partitionCount)
        configuration.compression = compression
        configuration.retention = nil
        configuration.segmentDuration = nil
        configuration.fsync = .never

        var kcatFile: UnsafeMutablePointer<FILE>?
        if let path = options["--kcat-file"] {
            guard let file = fopen(path, "w") else { fail("cannot create \(path): \(String(cString: strerror(errno)))") }
            kcatFile = file
        }
        do {
            mkdir(dataDirectory, 0o755)
            let manager = try LogManager(directory: dataDirectory)
            let partitions = try manager.openTopic(topic, configuration: configuration)
            guard partitions.allSatisfy({ $0.highWatermark == 0 }) else { fail("\(dataDirectory) already holds \(topic) records") }
            var builder = RecordBatchBuilder(compression: compression)
            var batchBuffer: [UInt8] = []
            var line: [UInt8] = []
            var payloadBytes = 0
            var keyBytes = 0
            var batches = 0
            let topicName = Array("mqtt.topic".utf8), qosName = Array("mqtt.qos".utf8), qosValue: [UInt8] = [0x31]
            var generator = TelemetryGenerator(deviceCount: keyCount)
            for burstStart in stride(from: 0, to: recordCount, by: burstSize) {
                var groups = [[Record]](repeating: [], count: partitionCount)
                for _ in burstStart..<min(burstStart + burstSize, recordCount) {
                    let record = generator.next()
                    groups[KeyPartitioner.partition(forKey: record.key!, partitionCount: partitionCount)].append(record)
                }
                for (partition, records) in groups.enumerated() where !records.isEmpty {
                    for record in records {
                        let key = record.key!, value = record.value!, mqttTopic = record.headers[0].value!
                        payloadBytes += value.count
                        keyBytes += key.count
                        key.withUnsafeBytes { key in
                            value.withUnsafeBytes { value in
                                topicName.withUnsafeBytes { topicName in
                                    qosName.withUnsafeBytes { qosName in
                                        qosValue.withUnsafeBytes { qosValue in
                                            mqttTopic.withUnsafeBytes { mqttTopic in
                                                let headers =
                                                    withHeaders
                                                    ? [
                                                        RecordBatchBuilder.BorrowedHeader(key: topicName, value: mqttTopic),
                                                        RecordBatchBuilder.BorrowedHeader(key: qosName, value: qosValue),
                                                    ] : []
                                                builder.append(timestamp: record.timestamp, key: key, value: value, headers: headers)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        if let kcatFile {
                            line.removeAll(keepingCapacity: true)
                            line.append(contentsOf: key)
                            line.append(0x09)
                            line.append(contentsOf: value)
                            line.append(0x0A)
                            guard fwrite(line, 1, line.count, kcatFile) == line.count else { fail("cannot write the kcat file") }
                        }
                    }
                    batchBuffer.removeAll(keepingCapacity: true)
                    try builder.finish(into: &batchBuffer)
                    _ = try partitions[partition].append(builtBatch: &batchBuffer)
                    batches += 1
                }
            }
            try manager.close()
            if let kcatFile { guard fclose(kcatFile) == 0 else { fail("cannot close the kcat file") } }
            let counts = partitions.map { String($0.highWatermark) }.joined(separator: ",")
            print(
                "backlog records=\(recordCount) batches=\(batches) partitions=\(counts) payload_bytes=\(payloadBytes) key_bytes=\(keyBytes) "
                    + "disk_bytes=\(ProcessProbe.fileBytes(under: dataDirectory)) compression=\(options["--compression"]!) headers=\(withHeaders ? 2 : 0)")
        } catch {
            fail("make-backlog: \(error)")
        }
        exit(0)
    }
}
