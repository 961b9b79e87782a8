import ArgumentParser
import Foundation
import SluiceLog

/// `sluice dump-log`: prints the batches and records of a segment file, or the entries of an index.
struct DumpLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-log",
        abstract: "Print the batches and records of a segment (.log) or the entries of an index (.index, .timeindex).",
        discussion: """
            Like Kafka's kafka-dump-log. Each batch line shows its offsets, producer fields, position,
            max timestamp, size, codec and whether its CRC-32C is valid; with --records each record
            follows on a line starting with '|'. A torn or corrupt tail is reported, not hidden.

            Example: sluice dump-log --records /var/lib/sluice/telemetry-0/00000000000000000000.log
            """
    )

    @Argument(help: "Segment or index files to dump.", completion: .file(extensions: ["log", "index", "timeindex"]))
    var files: [String]

    @Flag(name: [.customLong("records"), .customLong("print-data-log")], help: "Also print every record: offset, time, key, headers, payload.")
    var printRecords = false

    @Option(help: "Print at most this many bytes of each key and payload.")
    var maxPayloadBytes = 200

    func run() throws {
        for (index, file) in files.enumerated() {
            if index > 0 { print() }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure("cannot read \(file): no such file, or not readable")
            }
            for line in LogDump.lines(file: file, bytes: Array(data), printRecords: printRecords, maxPayloadBytes: maxPayloadBytes) {
                print(line)
            }
        }
    }
}
