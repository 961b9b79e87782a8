import ArgumentParser

/// The `sluice` command: the daemon and the tools around its log.
@main
struct SluiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A small Kafka at the edge: MQTT in, a durable partitioned log on the gateway, Kafka out.",
        discussion: """
            Sluice keeps device messages in topics split into partitions, stored as Kafka RecordBatch v2
            segments under its data directory (<data>/<topic>-<partition>/<baseOffset>.log).

            Run the daemon with `sluice run --config /etc/sluice/sluice.yaml`; check a configuration with
            `sluice check-config`; look at the log with `sluice topics`, `sluice consume` and
            `sluice dump-log`; see the running daemon with `sluice status`; load it with `sluice simulate`.
            `sluice demo` writes and reads back a sample log without any broker.
            """,
        subcommands: [
            RunCommand.self, CheckConfigCommand.self, StatusCommand.self, TopicsCommand.self, ConsumeCommand.self,
            DumpLogCommand.self, SimulateCommand.self, DemoCommand.self,
        ]
    )
}
