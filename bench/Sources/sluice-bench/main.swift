import Glibc
import SluiceLog

// sluice-bench --mode <mode> [--records N] [--burst N] [--partitions N] [--dir PATH] [--keep]
//   runs one mode of the log-append benchmark and prints its `result …` line;
// sluice-bench report < results
//   prints the table of the result lines read from standard input.
// bench/log-append.sh runs every mode, each in its own process (so peak RSS is per mode).
// sluice-bench --mode make-backlog --data-dir DIR … (see BacklogMode.swift)
//   writes a forwarding backlog as ingest stores it, and the same records as a kcat input file
//   (bench/upstream-drain.sh).
// sluice-bench --mode stream-read|stream-job --data-dir DIR (see StreamMode.swift)
//   reads a backlog through the log store, or runs a filter + 1-minute window job over it
//   (bench/stream-job.sh).

let usage = "usage: sluice-bench --mode \(LogAppendMode.allCases.map(\.rawValue).joined(separator: "|")) [--records N] [--burst N] [--partitions N] [--dir PATH] [--keep]\n       sluice-bench report < result-lines"

/// Writes a line to standard error (`fputs(stderr)` is a shared C global Swift 6 rejects).
func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    printError("sluice-bench: \(message)")
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if let modeIndex = arguments.firstIndex(of: "--mode"), arguments.dropFirst(modeIndex + 1).first == "make-backlog" {
    BacklogMode.run(arguments)
}
if let modeIndex = arguments.firstIndex(of: "--mode"), let mode = arguments.dropFirst(modeIndex + 1).first, mode.hasPrefix("stream-") {
    StreamMode.run(arguments)
}
if arguments.first == "report" {
    var results: [RunResult] = []
    while let line = readLine() { if let result = RunResult(line: line) { results.append(result) } }
    print(ResultTable.render(results))
    exit(0)
}

var options: [String: String] = ["--records": "1000000", "--burst": "500", "--partitions": "1", "--dir": "bench/out"]
var position = 0
while position < arguments.count {
    let name = arguments[position]
    if name == "--keep" {
        options[name] = "yes"
        position += 1
    } else if options.keys.contains(name) || name == "--mode", position + 1 < arguments.count {
        options[name] = arguments[position + 1]
        position += 2
    } else {
        fail("unknown or incomplete option \(name)\n\(usage)")
    }
}
guard let mode = options["--mode"].flatMap(LogAppendMode.init(rawValue:)) else { fail(usage) }
guard let recordCount = Int(options["--records"]!), recordCount > 0, let burstSize = Int(options["--burst"]!), burstSize > 0,
    let partitionCount = Int(options["--partitions"]!), partitionCount > 0
else { fail("--records, --burst and --partitions take positive integers") }

let directory = "\(options["--dir"]!)/\(mode.rawValue)-\(getpid())"
mkdir(options["--dir"]!, 0o755)
guard mkdir(directory, 0o755) == 0 else { fail("cannot create \(directory): \(String(cString: strerror(errno)))") }
do {
    // Not timed: generate (and for pre-encoded modes encode) every record first.
    let measurement: AppendMeasurement
    let payloadBytes: Int
    let rssBeforeKiB: Int
    let configuration = mode.topicConfiguration(partitionCount: partitionCount)
    switch mode {
    case .rawInterval, .rawAlways, .storeBatchInterval:
        var (encoded, payload) = try Workload.encoded(recordCount: recordCount, burstSize: burstSize, partitionCount: partitionCount)
        payloadBytes = payload
        rssBeforeKiB = ProcessProbe.kibibytes("VmRSS")
        if mode.isRaw {
            measurement = try AppendRun.raw(
                encoded, partitionCount: partitionCount, syncEveryBatch: mode.isSyncEveryBatch,
                interval: LogAppendMode.flushInterval, directory: directory)
        } else {
            // As ingest appends what it built: trusted, base offset patched in place (no copy).
            measurement = try AppendRun.store(&encoded, configuration: configuration, directory: directory) { burst, partitions in
                try partitions[burst.partition].append(builtBatch: &burst.bytes)
            }
        }
    case .storeRecordsInterval:
        var bursts = try Workload.bursts(recordCount: recordCount, burstSize: burstSize, partitionCount: partitionCount)
        payloadBytes = bursts.reduce(0) { $0 + $1.payloadBytes }
        rssBeforeKiB = ProcessProbe.kibibytes("VmRSS")
        measurement = try AppendRun.store(&bursts, configuration: configuration, directory: directory) { burst, partitions in
            try partitions[burst.partition].append(burst.records)
        }
    case .storeInterval, .storeAlways, .storeZstdInterval:
        var (bursts, payload) = try Workload.messages(recordCount: recordCount, burstSize: burstSize, partitionCount: partitionCount)
        payloadBytes = payload
        rssBeforeKiB = ProcessProbe.kibibytes("VmRSS")
        var appender = IngestAppender(compression: configuration.compression)
        measurement = try AppendRun.store(&bursts, configuration: configuration, directory: directory) { burst, partitions in
            try appender.append(burst, to: partitions[burst.partition])
        }
    }
    let result = RunResult(
        mode: mode, records: recordCount, measurement: measurement, diskBytes: ProcessProbe.fileBytes(under: directory),
        payloadBytes: payloadBytes, rssBeforeKiB: rssBeforeKiB, peakRSSKiB: ProcessProbe.kibibytes("VmHWM"))
    print(result.line)
} catch {
    ProcessProbe.removeTree(directory)
    fail("\(mode.rawValue): \(error)")
}
if options["--keep"] == nil { ProcessProbe.removeTree(directory) } else { printError("kept \(directory)") }
