import ArgumentParser
import Foundation
import SluiceLog
import SluiceServer

/// `sluice status`: what the running daemon is doing.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what the running daemon is doing: health, connection, ingest per topic, devices, dead letters, disk, forwarding.",
        discussion: """
            Reads the status.json the daemon refreshes every 2 s in its runtime directory
            (/run/sluice under systemd, else the data directory). --json prints it as it is.
            Example: sluice status --runtime-dir /run/sluice
            """
    )

    @Option(help: "Where the daemon writes status.json.")
    var runtimeDir = "/run/sluice"
    @Flag(help: "Print the raw JSON, for scripts.")
    var json = false
    @Option(help: .hidden)
    var nowMillis: Int64?

    func run() throws {
        guard let report = StatusReport.read(from: runtimeDir) else {
            throw CommandFailure("no status in \(runtimeDir)/\(StatusReport.fileName): is `sluice run` running? (pass --runtime-dir; without systemd it is the data directory)")
        }
        if json {
            print(String(decoding: FileManager.default.contents(atPath: runtimeDir + "/" + StatusReport.fileName) ?? Data(), as: UTF8.self))
            return
        }
        let now = nowMillis ?? LogClock.nowMillis()
        let age = Double(now - report.generatedAtMillis) / 1000
        let uptime = (report.generatedAtMillis - report.startedAtMillis) / 1000
        print("sluice \(report.gatewayID) (pid \(report.pid)), up \(uptime) s; status \(String(format: "%.1f", age)) s old\(age > 10 ? " — STALE: the daemon may have stopped" : "")")
        if let problems = report.healthProblems {
            print(problems.isEmpty ? "health: ok" : "health: UNHEALTHY")
            for problem in problems { print("  \(problem)") }
        }
        if let page = report.statusPage { print("status page \(page)") }
        print("broker \(report.broker): \(report.isConnected ? "connected" : "NOT CONNECTED")")
        print("messages \(report.messagesReceived), records \(report.recordsAccepted), dead letters \(report.deadLettersByReason.values.reduce(0, +)), failed bursts \(report.appendFailures)")
        for (reason, count) in report.deadLettersByReason.sorted(by: { $0.key < $1.key }) { print("  dead letters \(reason): \(count)") }
        let free = report.diskFreeBytes.map { ", \($0) bytes free" } ?? ""
        print("disk \(report.diskBytes) bytes in segments\(free); \(report.bytesWritten) bytes written, \(report.fsyncs) fsyncs since start")
        if let resident = report.residentBytes { print("memory \(resident) bytes resident") }
        if let budget = report.diskBudget {
            let limit = budget.maxBytes.map { "\($0) bytes max" } ?? "no size limit"
            let floor = budget.minFreeBytes.map { ", \($0) bytes kept free" } ?? ""
            print("disk budget: \(limit)\(floor), on full: \(budget.policy)" +
                "\(budget.droppedRecords > 0 ? ", \(budget.droppedRecords) unforwarded records DROPPED" : "")" +
                "\(budget.isExceeded ? " — EXCEEDED: ingest paused until space is freed" : "")")
        }
        for topic in report.topics {
            let records = topic.partitions.reduce(Int64(0)) { $0 + $1.highWatermark - $1.logStartOffset }
            let bytes = topic.partitions.reduce(0) { $0 + $1.bytes }
            let ingestBytes = topic.bytesPerSecond.map { String(format: ", %.0f B/s", $0) } ?? ""
            print("topic \(topic.name): \(String(format: "%.1f", topic.recordsPerSecond)) records/s\(ingestBytes), \(records) records, \(bytes) bytes, \(topic.partitions.count) partitions")
        }
        if let devices = report.devices {
            print("devices: \(devices.seenLastMinute) seen in the last minute, \(devices.knownDevices) known, \(devices.quietCount) quiet (silent > \(devices.quietAfterSeconds) s)")
            for device in devices.quiet {
                print("  quiet \(device.deviceID)\(device.profile.map { " (\($0))" } ?? ""): silent \(max(0, now - device.lastSeenMillis) / 1000) s")
            }
            if devices.quietCount > devices.quiet.count { print("  … and \(devices.quietCount - devices.quiet.count) more") }
        }
        if let errors = report.recentErrors, !errors.isEmpty {
            print("last errors:")
            for error in errors { print("  \(max(0, now - error.atMillis) / 1000) s ago, \(error.source): \(error.message)") }
        } else if let error = report.lastError {
            print("last error: \(error)")
        }
        if let upstream = report.upstream {
            let lag = upstream.partitions.reduce(Int64(0)) { $0 + $1.lag }
            let last = upstream.lastDeliveryMillis.map { "\(max(0, now - $0) / 1000) s ago" } ?? "never"
            print("upstream \(upstream.name) (\(upstream.bootstrapServers)): \(upstream.delivered) delivered, \(upstream.failed) failed, lag \(lag) records, last delivery \(last)")
            for partition in upstream.partitions where partition.lag > 0 || partition.isHalted {
                let age = partition.oldestUnforwardedMillis.map { ", oldest unforwarded \(max(0, now - $0) / 1000) s old" } ?? ""
                print("  \(partition.partition): cursor \(partition.cursor) of \(partition.highWatermark), lag \(partition.lag)\(age)\(partition.isHalted ? " — HALTED" : "")")
            }
            if let error = upstream.lastError { print("  last upstream error: \(error)") }
        }
        for job in report.streams ?? [] {
            print("stream \(job.name) → \(job.output): \(job.recordsIn) in, \(job.recordsOut) out, \(job.lateRecords) late, lag \(job.lagRecords) records (\(String(format: "%.1f", job.lagSeconds)) s), \(job.keys) keys, \(job.stateBytes) state bytes\(job.refusedKeys > 0 ? ", \(job.refusedKeys) refused (max_keys)" : "")\(job.isHalted ? " — HALTED" : "")")
            if let error = job.lastError { print("  last error: \(error)") }
        }
    }
}
