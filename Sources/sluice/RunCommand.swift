import ArgumentParser
import Foundation
import Logging
import SluiceConfiguration
import SluiceServer

/// `sluice run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: subscribe to the device feeds and write every message to the log.",
        discussion: """
            Reads the configuration and the device profiles, opens (and if needed recovers) the log,
            connects to the MQTT broker with a persistent session and appends every message to its
            topic and partition before acknowledging it. SIGTERM or SIGINT stops it cleanly: what was
            read is written and acknowledged, the log is fsynced and closed. SIGHUP (systemctl
            reload sluice) re-reads the configuration and the device profiles: new, changed and
            removed profiles apply without dropping the MQTT session; a configuration that does not
            load is refused with its reasons and the running one stays. Under systemd
            (Type=notify) it reports READY, pings the watchdog and writes status.json to
            $RUNTIME_DIRECTORY for `sluice status`.

            Example: sluice run --config /etc/sluice/sluice.yaml
            """
    )

    @OptionGroup var configurationOption: ConfigurationOption

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let configuration = try configurationOption.load()
        let level = logLevel
        // One logfmt line per event (journald-friendly; see KeyValueLogHandler).
        LoggingSystem.bootstrap { label in
            var handler = KeyValueLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sluice")
        do {
            let path = configurationOption.config
            try await SluiceDaemon.run(
                configuration: configuration, environment: ProcessInfo.processInfo.environment, logger: logger,
                reload: { try SluiceConfiguration.load(file: path) })
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
