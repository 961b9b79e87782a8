import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import SluiceConfiguration
import SluiceLog
import SluiceCatalog
import SluiceKafkaAPI
import SluiceMQTT
import NIOPosix
import SluiceUpstream
import SluiceStreams

/// `sluice run`: opens (and recovers) the log, then runs the services in one group until SIGTERM
/// or SIGINT. Order: log, status, forwarder, ingest, systemd — so on shutdown systemd hears
/// STOPPING first, ingest stops next (writing and acknowledging what it read), the forwarder
/// then waits briefly for records in flight and commits its cursors, and the log closes last.
public enum SluiceDaemon {
    /// Runs the daemon until a shutdown signal.
    /// - Parameters:
    ///   - reload: reads the configuration again on SIGHUP (nil: SIGHUP is not handled).
    /// - Throws: `LogError` if the data directory or a topic cannot be opened.
    public static func run(
        configuration: SluiceConfiguration, environment: [String: String], logger: Logger,
        reload: (@Sendable () throws -> SluiceConfiguration)? = nil
    ) async throws {
        let log = try LogManager(directory: configuration.dataDirectory, logger: logger)
        var recovered = 0
        for profile in configuration.profiles {
            try log.openTopic(profile.topic, configuration: configuration.topicConfiguration(profile.topic))
        }
        var deadLetters = configuration.deadLetters.configuration
        deadLetters.fsync = configuration.log.fsync
        try log.openTopic(configuration.deadLetters.topic, configuration: deadLetters)
        // Stream jobs' output topics.
        for job in configuration.streams {
            try log.openTopic(job.output, configuration: configuration.topicConfiguration(job.output))
        }
        // Topics Kafka clients created through the listener in earlier runs.
        for (topic, partitions) in try log.existingTopics() where log.partitions(of: topic) == nil {
            var topicConfiguration = configuration.topicConfiguration(topic)
            topicConfiguration.partitionCount = partitions
            try log.openTopic(topic, configuration: topicConfiguration)
        }
        for (partition, recovery) in log.recoveries where recovery.truncatedBytes > 0 {
            recovered += recovery.truncatedBytes
            logger.warning("recovered a torn tail", metadata: ["log.partition": "\(partition)", "log.truncated_bytes": "\(recovery.truncatedBytes)"])
        }
        logger.info("log open", metadata: [
            "log.directory": "\(configuration.dataDirectory)", "log.topics": "\(log.topicNames.joined(separator: ","))",
            "log.truncated_bytes": "\(recovered)", "mqtt.profiles": "\(configuration.profiles.count)",
        ])

        // Forwarding: the catalog keeps the cursors; retention never deletes what is not forwarded.
        let forwardStatistics = ForwardStatistics()
        var forwarder: ForwardService?
        var forwardedTopics: Set<String> = []
        var catalog: Catalog?
        // The catalog also holds the device registry, so it is always open.
        do {
            catalog = try Catalog(path: configuration.dataDirectory + "/catalog.sqlite")
        } catch {
            throw UpstreamError(code: .configuration, message: "cannot open the catalog: \(error)")
        }
        if let upstream = configuration.upstream, let catalog {
            forwardedTopics = Set(upstream.topics.isEmpty ? configuration.profiles.map(\.topic) : upstream.topics)
            let partitions = forwardedTopics.sorted().flatMap { log.partitions(of: $0) ?? [] }
            forwarder = ForwardService(
                settings: upstream, gatewayID: configuration.gatewayID, partitions: partitions, catalog: catalog,
                deadLetters: log.partitions(of: configuration.deadLetters.topic)?.first, statistics: forwardStatistics, logger: logger)
        }
        let streamStatistics = StreamStatistics(jobs: configuration.streams)
        // Retention and the disk budget keep what the forwarder has not sent and what a stream
        // job may still read after a crash (from its last checkpoint).
        let keepFrom: @Sendable (Partition) -> Int64? = { [forwardedTopics] partition in
            // Not yet known (the forwarder is starting): keep everything.
            let forward = forwardedTopics.contains(partition.topic)
                ? forwardStatistics.cursor(topic: partition.topic, partition: partition.index) ?? partition.logStartOffset : nil
            let stream = streamStatistics.firstNeededOffset(topic: partition.topic, partition: partition.index, logStartOffset: partition.logStartOffset)
            return [forward, stream].compactMap { $0 }.min()
        }

        var streams: StreamService?
        if !configuration.streams.isEmpty, let catalog {
            streams = StreamService(
                jobs: configuration.streams, log: log, catalog: catalog,
                deadLetters: log.partitions(of: configuration.deadLetters.topic)?.first, statistics: streamStatistics, logger: logger)
        }

        let ingestStatistics = IngestStatistics()
        let flushInterval: Duration = if case .interval(let interval) = configuration.log.fsync { interval } else { .milliseconds(250) }
        let runtimeDirectory = environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first.map(String.init) ?? configuration.dataDirectory
        let operations = OperationsState()
        let status = StatusService(
            configuration: configuration, log: log, ingest: ingestStatistics, forward: configuration.upstream == nil ? nil : forwardStatistics,
            directory: runtimeDirectory, operations: operations, streams: streams == nil ? nil : streamStatistics, logger: logger)
        let ingest = IngestService(configuration: configuration, log: log, statistics: ingestStatistics, logger: logger)
        let systemd = SystemdService(environment: environment) {
            "\(ingestStatistics.isConnected ? "connected" : "not connected") to \(configuration.mqtt.host):\(configuration.mqtt.port); \(ingestStatistics.accepted) records, \(ingestStatistics.deadLettered) dead letters"
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: LogService(log: log, flushInterval: flushInterval, keepFrom: keepFrom, diskBudget: configuration.storage, logger: logger)),
            .init(service: status),
        ]
        if let catalog {
            services.append(.init(service: DeviceRegistryService(
                catalog: catalog, ingest: ingestStatistics, operations: operations,
                quietAfter: configuration.metrics?.quietAfter ?? MetricsSettings().quietAfter, logger: logger)))
        }
        if let forwarder { services.append(.init(service: forwarder)) }
        if let streams { services.append(.init(service: streams)) }
        let blockingPool = NIOThreadPool(numberOfThreads: 2)
        if let listenerSettings = configuration.kafkaListener {
            blockingPool.start()
            let broker = KafkaBroker(
                log: log, catalog: catalog, settings: listenerSettings, clusterID: configuration.gatewayID,
                topicConfiguration: { configuration.topicConfiguration($0) }, blockingPool: blockingPool, logger: logger)
            services.append(.init(service: try await KafkaListener.bind(broker: broker, settings: listenerSettings, logger: logger)))
        }
        if let metricsSettings = configuration.metrics {
            services.append(.init(service: try await Self.metricsServer(
                metricsSettings, configuration: configuration, log: log, ingest: ingestStatistics,
                forward: configuration.upstream == nil ? nil : forwardStatistics, operations: operations, logger: logger)))
        }
        services.append(.init(service: ingest))
        if let reload {
            services.append(.init(service: ReloadService(configuration: configuration, load: reload, ingest: ingest, environment: environment, logger: logger)))
        }
        services.append(.init(service: systemd))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            if configuration.kafkaListener != nil { try? await blockingPool.shutdownGracefully() }
            throw error
        }
        if configuration.kafkaListener != nil { try? await blockingPool.shutdownGracefully() }
    }
}
