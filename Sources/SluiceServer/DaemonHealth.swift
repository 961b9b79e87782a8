import Glibc
import SluiceConfiguration
import SluiceLog
import SluiceMQTT
import SluiceMetrics

/// What `/healthz` checks: the MQTT session is up, the last burst was written, the log's fsync,
/// disk budget and retention passes work, and the data directory is writable with room for another
/// batch. Cheap enough for every request: atomic loads, one lock, `access(2)` and `statvfs(2)`.
public enum DaemonHealth {
    /// The health of a running daemon.
    /// - Parameters:
    ///   - configuration: the broker address and data directory, for the messages.
    ///   - ingest: the connection and append state.
    ///   - diskBudget: the disk budget as last enforced, if the caller has the log.
    ///   - maintenance: whether the log's fsyncs, budget and retention passes work, if the caller has the log.
    public static func check(
        configuration: SluiceConfiguration, ingest: IngestStatistics, diskBudget: DiskBudgetState? = nil, maintenance: LogMaintenanceState? = nil
    ) -> HealthReport {
        var problems: [String] = []
        if let diskBudget, diskBudget.isExceeded {
            problems.append(
                "log: the disk budget is exceeded (\(diskBudget.usedBytes) bytes used, \(diskBudget.freeBytes) free; storage.on_full: \(configuration.storage.policy.rawValue)); ingest is paused and the MQTT broker queues")
        }
        if !ingest.isConnected {
            let detail = ingest.lastError.map { " (last error: \($0))" } ?? ""
            problems.append("mqtt: not connected to \(configuration.mqtt.host):\(configuration.mqtt.port)\(detail)")
        }
        for failure in maintenance?.currentFailures ?? [] {
            let risk = failure.pass == .fsync ? "; records written since the last good fsync may not be durable" : ""
            problems.append("log: the \(failure.pass.rawValue) pass is failing (\(failure.count) runs in a row): \(failure.error)\(risk)")
        }
        if ingest.isAppendFailing {
            problems.append("log: the last burst could not be written (\(ingest.lastError ?? "unknown error")); messages are not acknowledged")
        }
        let directory = configuration.dataDirectory
        if access(directory, W_OK) != 0 {
            problems.append("log: data directory \(directory) is not writable: \(String(cString: strerror(errno)))")
        } else if let free = freeBytes(directory), free < minimumFreeBytes(configuration) {
            problems.append("log: only \(free) bytes free on the filesystem of \(directory)")
        }
        return HealthReport(problems: problems)
    }

    /// Bytes an unprivileged process may still write on the filesystem holding `path`.
    public static func freeBytes(_ path: String) -> Int? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }

    /// Room for one more full batch: less and the next append may fail.
    static func minimumFreeBytes(_ configuration: SluiceConfiguration) -> Int {
        configuration.topicDefaults.maxBatchBytes
    }
}
