import ArgumentParser
import Foundation
import SluiceLog

/// `sluice consume`: prints records of a topic from the local log.
struct ConsumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Print records of a topic from the local log (read-only, safe beside the daemon).",
        discussion: """
            One line per record: partition, offset, timestamp, key, headers and value. By default it
            prints what is there from the beginning and stops; --follow keeps printing new records.

            Examples:
              sluice consume telemetry --data-dir /var/lib/sluice --from-beginning
              sluice consume _dead_letters --partition 0 --offset 120 --follow
            """
    )

    @Argument(help: "The topic.")
    var topic: String
    @Option(help: "The data directory.")
    var dataDir = "/var/lib/sluice"
    @Option(help: "Only this partition (default: all).")
    var partition: Int?
    @Flag(help: "Start at the log start offset (the default unless --offset or --from-end).")
    var fromBeginning = false
    @Flag(help: "Start at the end: print only new records (use with --follow).")
    var fromEnd = false
    @Option(help: "Start at this offset (with --partition).")
    var offset: Int64?
    @Flag(help: "Keep waiting for new records.")
    var follow = false
    @Option(help: "Stop after this many records.")
    var maxRecords: Int?

    func validate() throws {
        if offset != nil && partition == nil { throw ValidationError("--offset needs --partition") }
        if offset != nil && (fromBeginning || fromEnd) { throw ValidationError("use one of --offset, --from-beginning, --from-end") }
    }

    func run() throws {
        let log = try LogManager(directory: dataDir, readOnly: true)
        guard let count = try log.existingTopics()[topic] else {
            throw CommandFailure("no topic '\(topic)' in \(dataDir); `sluice topics --data-dir \(dataDir)` lists them")
        }
        if let partition, !(0..<count).contains(partition) {
            throw CommandFailure("topic '\(topic)' has partitions 0…\(count - 1), not \(partition)")
        }
        var printed = 0
        var positions: [Int: Int64] = [:]
        while true {
            // Reopen each round so a follower sees segments the daemon rolled meanwhile.
            let reader = try LogManager(directory: dataDir, readOnly: true)
            var configuration = TopicConfiguration(partitionCount: count)
            configuration.fsync = .never
            let partitions = try reader.openTopic(topic, configuration: configuration)
            var progressed = false
            for view in partitions where partition == nil || view.index == partition {
                var next = positions[view.index] ?? (offset ?? (fromEnd ? view.highWatermark : view.logStartOffset))
                next = max(next, view.logStartOffset)
                while next < view.highWatermark {
                    let records = try view.records(from: next, maxBytes: 256 * 1024)
                    guard let last = records.last else { break }
                    for record in records {
                        print(line(view.index, record))
                        printed += 1
                        if let maxRecords, printed >= maxRecords { return }
                    }
                    next = last.offset + 1
                    progressed = true
                }
                positions[view.index] = next
            }
            if !follow { return }
            if !progressed { usleep(200_000) }
        }
    }

    private func line(_ partition: Int, _ record: Record) -> String {
        let key = record.key.map { LogDump.printable($0, limit: 128) } ?? "null"
        let value = record.value.map { LogDump.printable($0, limit: 4096) } ?? "null"
        let headers = record.headers.map { "\($0.key)=\($0.value.map { LogDump.printable($0, limit: 128) } ?? "null")" }.joined(separator: ",")
        return "\(partition)\t\(record.offset)\t\(record.timestamp)\t\(key)\t\(headers)\t\(value)"
    }
}
