import Glibc
import Logging
import SluiceCatalog
import SluiceConfiguration
import SluiceLog
import SluiceStreams

/// `sluice-bench --mode stream-read|stream-job --data-dir DIR`: over a backlog written by
/// `--mode make-backlog` (topic `telemetry`), either reads every record through the log store
/// (`Partition.read`, batch decoding, the records decoded; nothing else: the peer), or runs a
/// stream job over them (filter + a 1-minute window of temp, hum and pressure, per device) to the
/// end of its input, writing `telemetry-1m`, checkpointing every 10 s. Each prints one line:
/// `stream mode=… records=… seconds=… cpu_seconds=… peak_rss_kib=… rss_before_kib=…` (+ job figures).
/// Bench/stream-job.sh runs both, each in its own process, and prints the table.
enum StreamMode {
    static let job = StreamJobSettings(
        name: "bench-1m", inputs: ["telemetry"], output: "telemetry-1m",
        operators: [
            .filter(FilterSettings(conditions: [
                FilterCondition(field: "temp", comparison: .greater, operand: .number(-40)),
                FilterCondition(field: "battery", comparison: .greaterOrEqual, operand: .number(3.0)),
            ])),
            .window(WindowSettings(
                size: .seconds(60), grace: .seconds(5),
                aggregates: [
                    WindowAggregate(field: "temp", functions: [.avg, .min, .max, .count]),
                    WindowAggregate(field: "hum", functions: [.avg, .min, .max]),
                    WindowAggregate(field: "pressure", functions: [.avg, .min, .max]),
                ])),
        ])

    static func run(_ arguments: [String]) -> Never {
        guard let modeIndex = arguments.firstIndex(of: "--mode"), let mode = arguments.dropFirst(modeIndex + 1).first,
            let dirIndex = arguments.firstIndex(of: "--data-dir"), let dataDirectory = arguments.dropFirst(dirIndex + 1).first
        else { fail("usage: sluice-bench --mode stream-read|stream-job --data-dir DIR") }
        do {
            let log = try LogManager(directory: dataDirectory)
            let topics = try log.existingTopics()
            guard let count = topics["telemetry"] else { fail("\(dataDirectory) holds no telemetry topic: run --mode make-backlog first") }
            var configuration = TopicConfiguration(partitionCount: count)
            configuration.fsync = .interval(.milliseconds(250))
            configuration.retention = nil
            let input = try log.openTopic("telemetry", configuration: configuration)
            let rssBefore = ProcessProbe.kibibytes("VmRSS")
            let start = ContinuousClock.now
            let cpuStart = cpuSeconds()
            var records = 0
            var extra = ""
            if mode == "stream-read" {
                for partition in input {
                    var offset = partition.logStartOffset
                    while offset < partition.highWatermark {
                        let result = try partition.read(from: offset, maxBytes: 256 * 1024)
                        for batch in RecordBatchSequence(result.bytes) {
                            for record in try batch.records() where record.offset >= offset {
                                records += 1
                                offset = record.offset + 1
                            }
                        }
                    }
                }
            } else if mode == "stream-job" {
                try log.openTopic("telemetry-1m", configuration: configuration)
                var deadLetterConfiguration = configuration
                deadLetterConfiguration.partitionCount = 1
                let deadLetters = try log.openTopic("_dead_letters", configuration: deadLetterConfiguration)[0]
                let catalog = try Catalog(path: dataDirectory + "/catalog.sqlite")
                let statistics = StreamStatistics()
                let runner = try StreamJobRunner(
                    job: job, log: log, catalog: catalog, deadLetters: deadLetters, statistics: statistics,
                    logger: Logger(label: "bench"))
                while runner.step() { runner.checkpointIfDue(force: false) }
                runner.checkpointIfDue(force: true)
                let status = runner.currentStatus
                records = status.recordsIn
                extra = " out=\(status.recordsOut) late=\(status.lateRecords) keys=\(status.keys) state_bytes=\(status.stateBytes)"
                try catalog.close()
            } else {
                fail("unknown mode \(mode)")
            }
            let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
            let cpu = cpuSeconds() - cpuStart
            try log.close()
            print("stream mode=\(mode) records=\(records) seconds=\(seconds) cpu_seconds=\(cpu) peak_rss_kib=\(ProcessProbe.kibibytes("VmHWM")) rss_before_kib=\(rssBefore)\(extra)")
        } catch {
            fail("\(mode): \(error)")
        }
        exit(0)
    }

    /// User + system CPU time of this process.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
