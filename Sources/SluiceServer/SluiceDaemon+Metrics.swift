import Logging
import SluiceConfiguration
import SluiceLog
import SluiceMQTT
import SluiceMetrics
import SluiceUpstream
import Synchronization

extension SluiceDaemon {
    /// Binds the operations endpoint (`metrics:`) with this daemon's own registry.
    /// - Throws: ``MetricsServerError`` when the address cannot be bound.
    static func metricsServer(
        _ settings: MetricsSettings, configuration: SluiceConfiguration, log: LogManager, ingest: IngestStatistics,
        forward: ForwardStatistics?, operations: OperationsState, logger: Logger
    ) async throws(MetricsServerError) -> MetricsServer {
        let metrics = DaemonMetrics(configuration: configuration, log: log, ingest: ingest, forward: forward, operations: operations)
        let endpoints = MetricsEndpoints(
            willScrape: { metrics.sample() },
            health: { DaemonHealth.check(configuration: configuration, ingest: ingest, diskBudget: log.diskBudgetState, maintenance: log.maintenanceState) },
            statusJSON: { operations.reportJSON() })
        let server = try await MetricsServer.bind(
            host: settings.host, port: settings.port, registry: metrics.registry, endpoints: endpoints, logger: logger)
        let host = server.host.contains(":") ? "[\(server.host)]" : server.host
        operations.statusPage.withLock { $0 = "http://\(host):\(server.port)/" }
        return server
    }
}
