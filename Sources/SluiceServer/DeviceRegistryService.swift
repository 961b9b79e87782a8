import Foundation
import Logging
import ServiceLifecycle
import SluiceCatalog
import SluiceLog
import SluiceMQTT

/// Keeps the catalog's device registry and what the status page reads from the catalog up to
/// date, every `interval` on a thread of its own (SQLite is blocking file I/O; it stays off the
/// cooperative pool):
///
/// 1. writes the per-device activity ingest gathered (one transaction per interval, one row per
///    active device — never per message);
/// 2. reads back the device counts and the quiet devices, and the consumer groups' committed
///    offsets, into ``OperationsState`` for `/metrics`, `/status.json` and `status.json`.
///
/// On shutdown it writes what ingest gathered last.
public final class DeviceRegistryService: Service, Sendable {
    private let catalog: Catalog
    private let ingest: IngestStatistics
    private let operations: OperationsState
    private let quietAfter: Duration
    private let interval: Duration
    private let logger: Logger
    private let repeating: RateLimitedLogger

    /// Creates the service.
    /// - Parameters:
    ///   - catalog: the registry's database.
    ///   - ingest: where device activity gathers.
    ///   - operations: receives the summaries.
    ///   - quietAfter: the silence after which a device is quiet (`metrics.quiet_after`).
    ///   - interval: how often to write and read; default 5 s.
    public init(
        catalog: Catalog, ingest: IngestStatistics, operations: OperationsState, quietAfter: Duration,
        interval: Duration = .seconds(5), logger: Logger
    ) {
        self.catalog = catalog
        self.ingest = ingest
        self.operations = operations
        self.quietAfter = quietAfter
        self.interval = interval
        self.logger = logger
        self.repeating = RateLimitedLogger(logger: logger)
    }

    public func run() async throws {
        let done = AsyncStream<Void>.makeStream()
        let stopFlag = StopFlag()
        let slices = max(1, Int(interval / .milliseconds(100)))
        let thread = Thread { [self] in
            step()
            while !stopFlag.isSet {
                for _ in 0..<slices where !stopFlag.isSet { usleep(100_000) }
                step()
            }
            done.continuation.finish()
        }
        thread.name = "sluice-devices"
        thread.start()
        await withGracefulShutdownHandler {
            for await _ in done.stream {}
        } onGracefulShutdown: {
            stopFlag.set()
        }
        stopFlag.set()
        for await _ in done.stream {}
    }

    /// One round: write the activity, read the summaries.
    func step() {
        let now = LogClock.nowMillis()
        let activity = ingest.takeDeviceActivity().map {
            DeviceActivity(
                deviceID: $0.deviceID, profile: $0.profile, topic: $0.topic, messageCount: Int64($0.messageCount),
                firstSeenMillis: $0.firstSeenMillis, lastSeenMillis: $0.lastSeenMillis)
        }
        do {
            try catalog.recordDeviceActivity(activity)
            let quietSince = now - quietAfter.wholeMilliseconds
            let counts = try catalog.deviceCounts(seenSince: now - 60_000, notSeenSince: quietSince)
            let quiet = try catalog.quietDevices(notSeenSince: quietSince, limit: DeviceSummary.listLimit)
            var offsets: [String: [TopicPartitionKey: Int64]] = [:]
            for group in try catalog.groups() {
                offsets[group] = try catalog.committedOffsets(group: group).mapValues(\.committedOffset)
            }
            operations.publish(
                devices: DeviceSummary(
                    knownDevices: counts.known, seenLastMinute: counts.seen, quietAfterSeconds: Int(quietAfter.components.seconds),
                    quietCount: counts.quiet,
                    quiet: quiet.map { .init(deviceID: $0.deviceID, profile: $0.profile, lastSeenMillis: $0.lastSeenMillis) }),
                groupOffsets: offsets)
        } catch {
            operations.noteErrors([(source: "catalog", message: "\(error)")], nowMillis: now)
            repeating.warning(key: "registry", "cannot update the device registry", metadata: ["catalog.error": "\(error)"])
        }
    }
}
