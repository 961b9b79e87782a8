import Foundation

/// A snapshot of what the daemon is doing, written as JSON every few seconds to
/// `<runtime dir>/status.json` and read by `sluice status`.
public struct StatusReport: Codable, Sendable, Equatable {
    /// One partition's offsets and size.
    public struct PartitionStatus: Codable, Sendable, Equatable {
        public var partition: Int
        public var logStartOffset: Int64
        public var highWatermark: Int64
        public var bytes: Int
        public var segments: Int
    }

    /// One topic: its partitions and its ingest rate.
    public struct TopicStatus: Codable, Sendable, Equatable {
        public var name: String
        public var partitions: [PartitionStatus]
        public var recordsIngested: Int
        public var recordsPerSecond: Double
        /// Payload bytes ingested since start, and per second (nil in files of older versions).
        public var bytesIngested: Int?
        public var bytesPerSecond: Double?
    }

    /// When the snapshot was taken (ms since the epoch).
    public var generatedAtMillis: Int64
    /// When the daemon started (ms since the epoch).
    public var startedAtMillis: Int64
    /// The daemon's process id.
    public var pid: Int32
    /// The gateway id.
    public var gatewayID: String
    /// The broker address.
    public var broker: String
    /// Whether the broker connection is up.
    public var isConnected: Bool
    /// Messages received from the broker.
    public var messagesReceived: Int
    /// Messages stored in their profile's topic.
    public var recordsAccepted: Int
    /// Messages sent to the dead-letter topic, by reason.
    public var deadLettersByReason: [String: Int]
    /// Bursts that could not be written.
    public var appendFailures: Int
    /// The most messages read in one burst.
    public var largestBurst: Int
    /// fsyncs since start.
    public var fsyncs: Int
    /// Bytes written to the log since start.
    public var bytesWritten: Int
    /// Bytes used by the data directory's segments.
    public var diskBytes: Int
    /// Topics, by name.
    public var topics: [TopicStatus]
    /// The last error, if any.
    public var lastError: String?
    /// Forwarding upstream, if configured.
    public var upstream: UpstreamStatus?
    /// The disk budget of the data directory (`storage`).
    public var diskBudget: DiskBudgetStatus?

    /// The disk budget and how close the log is to it.
    public struct DiskBudgetStatus: Codable, Sendable, Equatable {
        public var maxBytes: Int?
        public var minFreeBytes: Int?
        public var policy: String
        public var usedBytes: Int
        public var freeBytes: Int
        /// Whether ingest is paused until space is freed.
        public var isExceeded: Bool
        /// Records deleted before they were forwarded (`drop-oldest`) since start.
        public var droppedRecords: Int
    }
    /// The device registry: who spoke in the last minute, who went quiet (nil without a catalog).
    public var devices: DeviceSummary?
    /// What `/healthz` reports as wrong; empty when healthy.
    public var healthProblems: [String]?
    /// The last errors, oldest first, with when they were first seen.
    public var recentErrors: [RecentError]?
    /// Free bytes on the data directory's filesystem.
    public var diskFreeBytes: Int?
    /// The daemon's resident memory.
    public var residentBytes: Int?
    /// The status page's address, when the metrics endpoint is on.
    public var statusPage: String?

    /// One local partition's forwarding position.
    public struct ForwardPartitionStatus: Codable, Sendable, Equatable {
        public var partition: String
        public var cursor: Int64
        public var highWatermark: Int64
        public var lag: Int64
        public var isHalted: Bool
        /// Timestamp of the oldest record not yet forwarded (ms since the epoch), if any.
        public var oldestUnforwardedMillis: Int64?
    }

    /// The forwarder's state.
    public struct UpstreamStatus: Codable, Sendable, Equatable {
        public var name: String
        public var bootstrapServers: String
        public var produced: Int
        public var delivered: Int
        public var failed: Int
        public var lastDeliveryMillis: Int64?
        public var lastError: String?
        public var partitions: [ForwardPartitionStatus]
    }

    /// Stream jobs, if any are configured.
    public var streams: [StreamStatus]?

    /// One stream job's progress.
    public struct StreamStatus: Codable, Sendable, Equatable {
        public var name: String
        public var output: String
        public var recordsIn: Int
        public var recordsOut: Int
        public var lateRecords: Int
        public var refusedKeys: Int
        public var replaySkipped: Int
        public var keys: Int
        public var stateBytes: Int
        /// Input records not yet processed.
        public var lagRecords: Int64
        /// Age of the oldest input record not yet processed, by its timestamp; 0 when caught up.
        public var lagSeconds: Double
        public var lastCheckpointMillis: Int64?
        public var isHalted: Bool
        public var lastError: String?
    }

    /// The file name inside the runtime directory.
    public static let fileName = "status.json"

    /// Reads a report from `directory`, or nil if there is none.
    public static func read(from directory: String) -> StatusReport? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(StatusReport.self, from: data)
    }

    /// Writes the report atomically (temporary file + rename).
    public func write(to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: directory + "/" + Self.fileName), options: .atomic)
    }
}
