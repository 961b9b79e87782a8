import Foundation
import SluiceConfiguration
import SluiceLog
import Testing

@testable import SluiceStreams

@Suite("window: one aggregate per device and event-time minute, late records to dead letters", .serialized)
struct WindowJobTests {
    static let devices = 200
    static let readingsPerDevice = 500
    static let base: Int64 = 1_764_000_000_000
    static let grace: Int64 = 5_000

    static let job = StreamJobSettings(
        name: "env-1m", inputs: ["telemetry"], output: "telemetry-1m",
        operators: [
            .window(WindowSettings(
                size: .seconds(60), grace: .milliseconds(grace),
                aggregates: [WindowAggregate(field: "temp", functions: [.avg, .min, .max, .count])]))
        ])

    static func device(_ index: Int) -> String { "env-\(index)" }

    /// Reading `i` of device `d`: every ~2 s, a little jitter; every 50th is 3 s early (within
    /// the grace), every 97th 90 s early (beyond it: late); a few lack the field.
    static func reading(device d: Int, index i: Int) -> Record {
        var timestamp = base + Int64(i) * 2_000 + Int64((d * 31 + i * 17) % 1_500)
        if i % 50 == 49 { timestamp -= 3_000 }
        if i % 97 == 96 { timestamp -= 90_000 }
        let temp = Double((d * 7 + i * 13) % 400) / 8 - 10
        let value = i % 211 == 5 ? #"{"hum":40,"seq":\#(i)}"# : #"{"temp":\#(temp),"hum":40,"seq":\#(i)}"#
        return Record(timestamp: timestamp, key: Array(device(d).utf8), value: Array(value.utf8))
    }

    /// The input, interleaved across devices as they would arrive.
    static var input: [Record] {
        var records: [Record] = []
        records.reserveCapacity(devices * readingsPerDevice)
        for i in 0..<readingsPerDevice { for d in 0..<devices { records.append(reading(device: d, index: i)) } }
        return records
    }

    /// What one window must say, computed here from the readings directly.
    struct Expected: Equatable {
        var start: Int64
        var count = 0
        var temps: [Double] = []
    }

    /// Per device: the closed windows in closing order, and the sequence numbers of late readings.
    static func expected(device d: Int) -> (windows: [Expected], late: [Int]) {
        var newest = Int64.min
        var open: [Int64: Expected] = [:]
        var closed: [Expected] = []
        var late: [Int] = []
        for i in 0..<readingsPerDevice {
            let record = reading(device: d, index: i)
            let start = (record.timestamp / 60_000) * 60_000
            if start + 60_000 + grace <= newest {
                late.append(i)
            } else {
                var window = open[start] ?? Expected(start: start)
                window.count += 1
                let text = String(decoding: record.value!, as: UTF8.self)
                if let range = text.range(of: #""temp":"#) {
                    window.temps.append(Double(text[range.upperBound...].prefix { $0 != "," })!)
                }
                open[start] = window
            }
            newest = max(newest, record.timestamp)
            for start in open.keys.sorted() where start + 60_000 + grace <= newest {
                closed.append(open.removeValue(forKey: start)!)
            }
        }
        return (closed, late)
    }

    /// The number after `"key":` in a flat JSON object.
    static func number(_ key: String, in text: String) -> Double? {
        guard let range = text.range(of: "\"\(key)\":") else { return nil }
        return Double(text[range.upperBound...].prefix { $0 != "," && $0 != "}" })
    }

    @Test("100k readings from 200 devices: every output record equals the window computed from the input; late ones are dead letters")
    func oneMinuteAverages() throws {
        let log = try StreamTestLog(job: Self.job)
        let input = Self.input
        try log.append(input, topic: "telemetry")
        let runner = try log.runner()
        log.drain(runner)
        runner.checkpointIfDue(force: true)

        var outputByDevice: [String: [Record]] = [:]
        for (index, records) in try log.records("telemetry-1m").enumerated() {
            for record in records {
                let key = try #require(record.key)
                #expect(KeyPartitioner.partition(forKey: key, partitionCount: StreamTestLog.partitions) == index, "same key, same partition")
                outputByDevice[String(decoding: key, as: UTF8.self), default: []].append(record)
            }
        }
        var lateByDevice: [String: [Int]] = [:]
        for record in try log.records("_dead_letters")[0] {
            #expect(record.header("sluice.reason") == "late")
            #expect(record.header("sluice.stream") == "env-1m")
            let seq = try #require(try JSONSerialization.jsonObject(with: Data(record.value!)) as? [String: Any])["seq"] as? Int
            lateByDevice[String(decoding: record.key!, as: UTF8.self), default: []].append(try #require(seq))
        }

        var windowCount = 0
        var lateCount = 0
        for d in 0..<Self.devices {
            let name = Self.device(d)
            let (windows, late) = Self.expected(device: d)
            windowCount += windows.count
            lateCount += late.count
            let output = outputByDevice[name] ?? []
            #expect(output.count == windows.count, "\(name): one record per closed window")
            for (record, window) in zip(output, windows) {
                // Foundation's JSONSerialization rounds some numbers on Linux: read them with Double(String).
                let text = String(decoding: record.value!, as: UTF8.self)
                #expect(try JSONSerialization.jsonObject(with: Data(record.value!)) is [String: Any], "valid JSON: \(text)")
                #expect(record.timestamp == window.start)
                #expect(Self.number("window_start", in: text) == Double(window.start))
                #expect(Self.number("window_end", in: text) == Double(window.start + 60_000))
                #expect(Self.number("count", in: text) == Double(window.count))
                #expect(Self.number("temp_count", in: text) == Double(window.temps.count))
                #expect(Self.number("temp_min", in: text) == window.temps.min())
                #expect(Self.number("temp_max", in: text) == window.temps.max())
                #expect(Self.number("temp_avg", in: text) == window.temps.reduce(0, +) / Double(window.temps.count))
            }
            #expect(lateByDevice[name] ?? [] == late, "\(name): the late readings, in order")
        }
        #expect(windowCount > 3_000, "about 16 closed windows per device")
        #expect(lateCount > 0)
        let status = try #require(log.statistics.all.first)
        #expect(status.recordsIn == input.count)
        #expect(status.recordsOut == windowCount)
        #expect(status.lateRecords == lateCount)
        #expect(status.keys == Self.devices)
        #expect(status.lag == 0)
        // Open windows per device (the last one or two) are the whole state: well under 1 KiB a device.
        #expect(status.stateBytes < Self.devices * 1024)
    }

    @Test("a crash after writing output past the checkpoint: the restarted job writes exactly what an uninterrupted one does")
    func crashAfterCheckpoint() throws {
        let input = Self.input
        let thirds = [0..<30_000, 30_000..<65_000, 65_000..<input.count]

        let uninterrupted = try StreamTestLog(job: Self.job)
        try uninterrupted.append(input, topic: "telemetry")
        uninterrupted.drain(try uninterrupted.runner())

        let crashing = try StreamTestLog(job: Self.job)
        // First third, checkpointed; second third processed and written, not checkpointed: crash.
        try crashing.append(Array(input[thirds[0]]), topic: "telemetry")
        var runner = try crashing.runner(checkpointInterval: .seconds(3600))
        crashing.drain(runner)
        runner.checkpointIfDue(force: true)
        try crashing.append(Array(input[thirds[1]]), topic: "telemetry")
        crashing.drain(runner)
        // Restart: the second third is replayed; what it yields is already in the output.
        runner = try crashing.runner(checkpointInterval: .seconds(3600))
        try crashing.append(Array(input[thirds[2]]), topic: "telemetry")
        crashing.drain(runner)

        let expected = try uninterrupted.records("telemetry-1m")
        let actual = try crashing.records("telemetry-1m")
        for partition in 0..<StreamTestLog.partitions {
            #expect(actual[partition].map(\.value) == expected[partition].map(\.value), "partition \(partition)")
            #expect(actual[partition].map { $0.header("sluice.source_offset") } == expected[partition].map { $0.header("sluice.source_offset") })
        }
        // Dead letters of the four input partitions share one partition: compare them per input partition.
        func deadLetters(_ log: StreamTestLog) throws -> [String: [[UInt8]?]] {
            Dictionary(grouping: try log.records("_dead_letters")[0]) { $0.header("sluice.source") ?? "" }.mapValues { $0.map(\.value) }
        }
        #expect(try deadLetters(crashing) == (try deadLetters(uninterrupted)))
        #expect((crashing.statistics.all.first?.replaySkipped ?? 0) > 0, "the replay found output already written")
    }
}
