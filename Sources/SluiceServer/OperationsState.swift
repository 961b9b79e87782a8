import Foundation
import SluiceCatalog
import SluiceLog
import Synchronization

/// What the operations endpoint and the status file show that no single statistics object holds:
/// the latest status report, the device registry's summary and the consumer groups' committed
/// offsets (both read from the catalog by ``DeviceRegistryService`` on its own thread), and the
/// last errors of every part. Everything here is prepared off the request path, so answering
/// `/metrics` or `/status.json` reads memory only.
///
/// Thread-safety: one lock; safe from any thread.
public final class OperationsState: Sendable {
    struct State {
        var report: StatusReport?
        var devices: DeviceSummary?
        var groupOffsets: [String: [TopicPartitionKey: Int64]] = [:]
        var recentErrors: [RecentError] = []
        var lastErrorBySource: [String: String] = [:]
    }

    private let state = Mutex(State())
    /// The status page's address, when the metrics endpoint is on (set once it is bound).
    let statusPage = Mutex<String?>(nil)

    /// The most recent errors kept.
    public static let recentErrorLimit = 10

    /// Creates an empty state.
    public init() {}

    /// The latest status report.
    public var report: StatusReport? { state.withLock { $0.report } }
    /// The device registry's summary, if it has been read.
    public var devices: DeviceSummary? { state.withLock { $0.devices } }
    /// Committed offsets per consumer group and partition, as last read from the catalog.
    public var groupOffsets: [String: [TopicPartitionKey: Int64]] { state.withLock { $0.groupOffsets } }
    /// The last errors, oldest first.
    public var recentErrors: [RecentError] { state.withLock { $0.recentErrors } }

    func publish(_ report: StatusReport) { state.withLock { $0.report = report } }
    func publish(devices: DeviceSummary?, groupOffsets: [String: [TopicPartitionKey: Int64]]) {
        state.withLock {
            $0.devices = devices
            $0.groupOffsets = groupOffsets
        }
    }

    /// Adds each source's current last error to the list when it changed since the last look.
    /// - Parameter errors: per source (`mqtt`, `upstream`, …), its latest error, if any.
    func noteErrors(_ errors: [(source: String, message: String?)], nowMillis: Int64) {
        state.withLock { state in
            for (source, message) in errors {
                guard let message, state.lastErrorBySource[source] != message else { continue }
                state.lastErrorBySource[source] = message
                state.recentErrors.append(RecentError(atMillis: nowMillis, source: source, message: message))
            }
            if state.recentErrors.count > Self.recentErrorLimit {
                state.recentErrors.removeFirst(state.recentErrors.count - Self.recentErrorLimit)
            }
        }
    }

    /// The latest report as JSON (`{}` before the first).
    public func reportJSON() -> [UInt8] {
        guard let report else { return Array("{}".utf8) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? Array(encoder.encode(report))) ?? Array("{}".utf8)
    }
}
