import ArgumentParser

/// The `sluice` command: the daemon and the tools around its log.
@main
struct SluiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A small Kafka at the edge: MQTT in, a durable partitioned log on the gateway, Kafka out.",
        discussion: """
            Sluice keeps device messages in topics split into partitions, stored as Kafka RecordBatch v2
            segments under its data directory (<data>/<topic>-<partition>/<baseOffset>.log).

            Try `sluice demo` to write and read back a sample log, and `sluice dump-log <file>` to look
            inside a segment, like Kafka's kafka-dump-log.
            """,
        subcommands: [DemoCommand.self, DumpLogCommand.self]
    )
}
