import Foundation
import SluiceLog
import SluiceTestKit
import Testing

/// `sluice run` with a stream job, killed with SIGKILL while the job is writing, five times: its
/// output ends up exactly the output of a run that was never interrupted.
@Suite("Stream job end to end: kill -9 of sluice run mid-stream", .serialized)
struct StreamEndToEndTests {
    static let partitions = 4
    static let devices = 200
    static let chunks = 6
    static let readingsPerChunk = 150  // per device: 30k records a chunk, 180k in all

    static let yaml = """
        log:
          fsync: interval
          flush_interval: 100ms
        topic_defaults:
          partitions: \(partitions)
          compression: none
        streams:
          env-1m:
            input: telemetry
            output: telemetry-1m
            checkpoint_interval: 300ms
            operators:
              - filter: "temp > -5"
              - window: { size: 1m, grace: 5s, aggregates: { temp: [avg, min, max, count], ts: [first, last] } }
        """

    /// Reading `i` of device `d` (every ~2 s of device time; every 97th a late one).
    static func reading(device d: Int, index i: Int) -> Record {
        var timestamp: Int64 = 1_764_000_000_000 + Int64(i) * 2_000 + Int64((d * 37 + i * 11) % 1_900)
        if i % 97 == 96 { timestamp -= 70_000 }
        let temp = Double((d * 3 + i * 7) % 300) / 4 - 10
        let value = #"{"temp":\#(temp),"hum":\#(30 + (i + d) % 40),"ts":\#(timestamp)}"#
        return Record(timestamp: timestamp, key: Array("env-\(d)".utf8), value: Array(value.utf8))
    }

    /// Appends chunk `chunk` of the input to the daemon's log while it is not running.
    static func appendChunk(_ chunk: Int, to dataDirectory: String) throws {
        let log = try LogManager(directory: dataDirectory)
        var configuration = TopicConfiguration(partitionCount: partitions)
        configuration.compression = .none
        let topic = try log.openTopic("telemetry", configuration: configuration)
        var byPartition: [[Record]] = Array(repeating: [], count: partitions)
        for i in chunk * readingsPerChunk..<(chunk + 1) * readingsPerChunk {
            for d in 0..<devices {
                let record = reading(device: d, index: i)
                byPartition[KeyPartitioner.partition(forKey: record.key!, partitionCount: partitions)].append(record)
            }
        }
        for (index, records) in byPartition.enumerated() {
            for start in stride(from: 0, to: records.count, by: 500) {
                try topic[index].append(records[start..<min(records.count, start + 500)])
            }
        }
        try log.close()
    }

    /// Every record of `topic`, by partition (read-only, beside or after the daemon).
    static func records(_ topic: String, in dataDirectory: String) throws -> [[Record]] {
        let log = try LogManager(directory: dataDirectory, readOnly: true)
        guard let count = try log.existingTopics()[topic] else { return [] }
        return try log.openTopic(topic, configuration: TopicConfiguration(partitionCount: count)).map { partition in
            var records: [Record] = []
            var offset = partition.logStartOffset
            while offset < partition.highWatermark {
                let chunk = try partition.records(from: offset)
                guard let last = chunk.last else { break }
                records += chunk
                offset = last.offset + 1
            }
            return records
        }
    }

    static func count(_ topic: String, in dataDirectory: String) -> Int {
        guard let log = try? LogManager(directory: dataDirectory, readOnly: true),
            let count = try? log.existingTopics()[topic],
            let partitions = try? log.openTopic(topic, configuration: TopicConfiguration(partitionCount: count))
        else { return 0 }
        return partitions.reduce(0) { $0 + Int($1.highWatermark - $1.logStartOffset) }
    }

    /// The job's status from status.json, once it is from the current process.
    static func jobStatus(_ daemon: SluiceDaemonProcess) -> [String: Any]? {
        guard let status = daemon.status(), (status["pid"] as? Int) == daemon.pid.map(Int.init) else { return nil }
        return (status["streams"] as? [[String: Any]])?.first
    }

    /// Waits until the job has read everything in its input and said so in status.json.
    static func waitUntilCaughtUp(_ daemon: SluiceDaemonProcess, records: Int) -> Bool {
        TestEnvironment.waitUntil(timeout: .seconds(60)) {
            guard daemon.isRunning, let job = jobStatus(daemon) else { return !daemon.isRunning }
            return (job["lagRecords"] as? Int) == 0 && Self.count("telemetry", in: daemon.dataDirectory) == records
        } && daemon.isRunning
    }

    /// The output records' values and source offsets per partition, and dead letters per input partition.
    static func output(_ dataDirectory: String) throws -> (windows: [[String]], late: [String: [String]]) {
        func describe(_ record: Record) -> String {
            let source = record.headers.last { $0.key == "sluice.source_offset" }?.value ?? []
            return String(decoding: record.value ?? [], as: UTF8.self) + " @" + String(decoding: source, as: UTF8.self)
        }
        let windows = try records("telemetry-1m", in: dataDirectory).map { $0.map(describe) }
        let late = Dictionary(grouping: try records("_dead_letters", in: dataDirectory).joined()) {
            String(decoding: $0.headers.last { $0.key == "sluice.source" }?.value ?? [], as: UTF8.self)
        }.mapValues { $0.map(describe) }
        return (windows, late)
    }

    @Test("five kill -9 while the job writes: the output is exactly that of an uninterrupted run")
    func killNineFiveTimes() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let profile = IngestFixture.sensorProfile
        let mqtt = "mqtt:\n  host: 127.0.0.1\n  port: \(broker.port)\n  client_id: sluice-streams\n  reconnect: { min: 1s, max: 2s }\n"
        let total = Self.chunks * Self.readingsPerChunk * Self.devices

        // The reference: all input first, one uninterrupted run.
        let reference = try SluiceDaemonProcess(yaml: mqtt + Self.yaml + "\n", profiles: ["env-sensor": profile])
        defer { reference.remove() }
        for chunk in 0..<Self.chunks { try Self.appendChunk(chunk, to: reference.dataDirectory) }
        try reference.start()
        #expect(Self.waitUntilCaughtUp(reference, records: total), "\(reference.output.suffix(2000))")
        #expect(reference.stop() == 0)
        let expected = try Self.output(reference.dataDirectory)
        #expect(expected.windows.joined().count > 1_000)
        #expect(!expected.late.isEmpty)

        // Input arrives a chunk at a time (appended while the daemon is down); five times the
        // daemon dies as soon as the job has written output of the new input, so it dies behind,
        // with output written past its last checkpoint (every 300 ms).
        let crashing = try SluiceDaemonProcess(yaml: mqtt + Self.yaml + "\n", profiles: ["env-sensor": profile])
        defer { crashing.remove() }
        var kills = 0
        var replaySkipped = 0
        for chunk in 0..<Self.chunks {
            try Self.appendChunk(chunk, to: crashing.dataDirectory)
            let before = Self.count("telemetry-1m", in: crashing.dataDirectory)
            try crashing.start()
            guard chunk < Self.chunks - 1 else { break }
            let writing = TestEnvironment.waitUntil(timeout: .seconds(60)) {
                !crashing.isRunning || Self.count("telemetry-1m", in: crashing.dataDirectory) > before
            }
            #expect(writing && crashing.isRunning, "\(crashing.output.suffix(2000))")
            if let job = Self.jobStatus(crashing) { replaySkipped += job["replaySkipped"] as? Int ?? 0 }
            crashing.kill9()
            kills += 1
        }
        #expect(Self.waitUntilCaughtUp(crashing, records: total), "\(crashing.output.suffix(2000))")
        replaySkipped += Self.jobStatus(crashing)?["replaySkipped"] as? Int ?? 0
        #expect(crashing.stop() == 0)
        #expect(kills == 5)
        let actual = try Self.output(crashing.dataDirectory)
        #expect(actual.windows.map(\.count) == expected.windows.map(\.count))
        for partition in expected.windows.indices {
            #expect(actual.windows[partition] == expected.windows[partition], "partition \(partition): no window missing, none twice")
        }
        #expect(actual.late == expected.late, "the same late records, once each")
        // The kills come right after output appeared, before the next checkpoint (300 ms), so the
        // restarted jobs usually find records already written and skip them. The count is read
        // from status.json (refreshed every 2 s), which a loaded machine may not have written
        // before the next kill, so it is reported, not required; the in-process crash test of
        // SluiceStreamsTests proves the skip path deterministically.
        print("stream kill -9 ×\(kills): \(replaySkipped) replayed output records skipped (seen in status)")
    }
}
