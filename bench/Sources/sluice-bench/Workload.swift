import SluiceLog

/// One batch as ingest would append it: the records of one MQTT read burst that hash (by device
/// key) to one partition.
struct Burst {
    var partition: Int
    var records: [Record]

    /// Bytes of the record values: what the devices sent.
    var payloadBytes: Int { records.reduce(0) { $0 + ($1.value?.count ?? 0) } }
}

/// One burst's batch encoded as the store writes it with compression none (base offset included).
struct EncodedBurst {
    var partition: Int
    var bytes: [UInt8]
}

enum Workload {
    /// Generates `recordCount` telemetry records in bursts of `burstSize`, each burst split by key
    /// (Kafka's partitioner, as ingest does) into at most `partitionCount` batches, and hands the
    /// batches to `body` in order.
    static func forEachBurst(
        recordCount: Int, burstSize: Int, partitionCount: Int, _ body: (Burst) throws(LogError) -> Void
    ) throws(LogError) {
        var generator = TelemetryGenerator()
        for burstStart in stride(from: 0, to: recordCount, by: burstSize) {
            var groups = [[Record]](repeating: [], count: partitionCount)
            for _ in burstStart..<min(burstStart + burstSize, recordCount) {
                let record = generator.next()
                groups[KeyPartitioner.partition(forKey: record.key!, partitionCount: partitionCount)].append(record)
            }
            for (partition, records) in groups.enumerated() where !records.isEmpty {
                try body(Burst(partition: partition, records: records))
            }
        }
    }

    /// The bursts as records, for `Partition.append([Record])`.
    static func bursts(recordCount: Int, burstSize: Int, partitionCount: Int) throws(LogError) -> [Burst] {
        var bursts: [Burst] = []
        try forEachBurst(recordCount: recordCount, burstSize: burstSize, partitionCount: partitionCount) { bursts.append($0) }
        return bursts
    }

    /// The bursts as MQTT messages, for the ingest-path store modes, and the payload bytes.
    static func messages(recordCount: Int, burstSize: Int, partitionCount: Int) throws(LogError) -> ([MessageBurst], payloadBytes: Int) {
        var bursts: [MessageBurst] = []
        var payloadBytes = 0
        try forEachBurst(recordCount: recordCount, burstSize: burstSize, partitionCount: partitionCount) { burst in
            bursts.append(MessageBurst(burst.records, partition: burst.partition))
            payloadBytes += burst.payloadBytes
        }
        return (bursts, payloadBytes)
    }

    /// The bursts encoded with `RecordBatchEncoder` exactly as the store would write them (the
    /// partition patches in the base offset; here it is numbered the same way), and the total
    /// payload (value) bytes.
    static func encoded(recordCount: Int, burstSize: Int, partitionCount: Int) throws(LogError) -> ([EncodedBurst], payloadBytes: Int) {
        var encoder = RecordBatchEncoder()
        var encoded: [EncodedBurst] = []
        var nextOffsets = [Int64](repeating: 0, count: partitionCount)
        var payloadBytes = 0
        try forEachBurst(recordCount: recordCount, burstSize: burstSize, partitionCount: partitionCount) { burst throws(LogError) in
            var bytes: [UInt8] = []
            try encoder.encode(burst.records, compression: .none, baseOffset: nextOffsets[burst.partition], into: &bytes)
            encoded.append(EncodedBurst(partition: burst.partition, bytes: bytes))
            nextOffsets[burst.partition] += Int64(burst.records.count)
            payloadBytes += burst.payloadBytes
        }
        return (encoded, payloadBytes)
    }
}
