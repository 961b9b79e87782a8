import Logging
import ServiceLifecycle
import SluiceConfiguration
import SluiceMQTT
import UnixSignals

/// Reloads the configuration on SIGHUP (`systemctl reload sluice`): re-reads the file and the
/// device profiles; a configuration that does not load is refused with every reason and the
/// running one stays; otherwise new, changed and removed device profiles are applied to ingest
/// without dropping the MQTT session or losing a message, and what needs a restart is named.
///
/// Thread-safety: the running configuration lives only in `run()`'s task.
public struct ReloadService: Service {
    private let initial: SluiceConfiguration
    private let load: @Sendable () throws -> SluiceConfiguration
    private let ingest: IngestService
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let onApplied: @Sendable (SluiceConfiguration) -> Void

    /// Creates the service.
    /// - Parameters:
    ///   - configuration: what the daemon started with.
    ///   - load: reads the configuration file and device profiles again; throws what is wrong.
    ///   - onApplied: called with the configuration now in force after each applied reload.
    public init(
        configuration: SluiceConfiguration, load: @escaping @Sendable () throws -> SluiceConfiguration, ingest: IngestService,
        environment: [String: String], logger: Logger, onApplied: @escaping @Sendable (SluiceConfiguration) -> Void = { _ in }
    ) {
        self.initial = configuration
        self.load = load
        self.ingest = ingest
        self.notifier = SystemdNotifier(environment: environment)
        self.logger = logger
        self.onApplied = onApplied
    }

    public func run() async throws {
        var running = initial
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await withGracefulShutdownHandler {
            for await _ in hangups.cancelOnGracefulShutdown() {
                running = await reload(running)
            }
        } onGracefulShutdown: {}
    }

    /// One reload: returns the configuration in force afterwards.
    private func reload(_ running: SluiceConfiguration) async -> SluiceConfiguration {
        notifier.notify("RELOADING=1\nSTATUS=reloading the configuration")
        defer { notifier.notify("READY=1\nSTATUS=configuration reloaded") }
        let new: SluiceConfiguration
        do {
            new = try load()
        } catch {
            logger.error(
                "reload refused: the new configuration does not load; the running one stays",
                metadata: ["config.errors": "\(error)"])
            return running
        }
        let change = ConfigurationChange(from: running, to: new)
        if !change.needsRestart.isEmpty {
            logger.warning(
                "reload: these changes take effect after a restart (systemctl restart sluice)",
                metadata: ["config.needs_restart": "\(change.needsRestart.joined(separator: ","))"])
        }
        guard change.changesProfiles else {
            logger.info("reload: no device profile changed", metadata: ["config.needs_restart": "\(change.needsRestart.count)"])
            return running
        }
        do {
            let summary = try await ingest.reload(new)
            var applied = running
            applied.profiles = new.profiles
            applied.topicDefaults = new.topicDefaults
            applied.topics = new.topics
            // Open topics keep the settings they were opened with (a restart applies new ones).
            for topic in Set(running.profiles.map(\.topic)) { applied.topics[topic] = running.topicConfiguration(topic) }
            logger.info(
                "reload applied",
                metadata: [
                    "config.profiles_added": "\(change.addedProfiles.joined(separator: ","))",
                    "config.profiles_removed": "\(change.removedProfiles.joined(separator: ","))",
                    "config.profiles_changed": "\(change.changedProfiles.joined(separator: ","))",
                    "log.topics_opened": "\(summary.openedTopics.joined(separator: ","))",
                    "mqtt.subscribed": "\(summary.subscribed.joined(separator: ","))",
                    "mqtt.unsubscribed": "\(summary.unsubscribed.joined(separator: ","))",
                ])
            onApplied(applied)
            return applied
        } catch {
            logger.error("reload refused: ingest could not apply it; the running profiles stay", metadata: ["log.error": "\(error)"])
            return running
        }
    }
}
