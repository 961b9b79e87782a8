import ArgumentParser
import SluiceLog

/// `sluice topics`: lists the topics in the data directory.
struct TopicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "List the topics in the data directory with their partitions, offsets and sizes.",
        discussion: "Reads the log directly (safe while the daemon runs). Example: sluice topics --data-dir /var/lib/sluice"
    )

    @Option(help: "The data directory.")
    var dataDir = "/var/lib/sluice"

    func run() throws {
        let log = try LogManager(directory: dataDir, readOnly: true)
        let existing = try log.existingTopics()
        if existing.isEmpty {
            print("no topics in \(dataDir)")
            return
        }
        print("TOPIC".padding(24) + "PARTITION".padding(11) + "START".padding(12) + "END".padding(12) + "RECORDS".padding(12) + "SEGMENTS".padding(10) + "BYTES")
        for name in existing.keys.sorted() {
            var configuration = TopicConfiguration(partitionCount: existing[name]!)
            configuration.fsync = .never
            for partition in try log.openTopic(name, configuration: configuration) {
                let records = partition.highWatermark - partition.logStartOffset
                print(
                    name.padding(24) + String(partition.index).padding(11) + String(partition.logStartOffset).padding(12)
                        + String(partition.highWatermark).padding(12) + String(records).padding(12)
                        + String(partition.segmentCount).padding(10) + String(partition.sizeBytes))
            }
        }
    }
}

extension String {
    /// Left-aligned in a column of `width` characters (at least one space after).
    func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(1, width - count))
    }
}
