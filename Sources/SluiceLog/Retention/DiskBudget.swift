/// A limit on the whole data directory, enforced across all partitions by deleting whole
/// segments, oldest first (by their newest record), never an active one.
public struct DiskBudget: Sendable, Hashable {
    /// What to do when the budget is reached and only records not yet forwarded could go.
    public enum Policy: String, Sendable, Hashable, CaseIterable {
        /// Delete them anyway, oldest first; every dropped record is counted and logged.
        case dropOldest = "drop-oldest"
        /// Keep them and stop taking new records (ingest stops acknowledging, so the MQTT broker
        /// queues) until forwarding frees space.
        case block
    }

    /// The most bytes the segments of all partitions may take. Default nil (no limit).
    public var maxBytes: Int?
    /// The least free space to leave on the data directory's filesystem. Default 64 MiB.
    public var minFreeBytes: Int?
    /// Default `block`: nothing unforwarded is deleted unless configured so.
    public var policy: Policy

    /// A budget; nil limits are not enforced.
    public init(maxBytes: Int? = nil, minFreeBytes: Int? = 64 << 20, policy: Policy = .block) {
        self.maxBytes = maxBytes
        self.minFreeBytes = minFreeBytes
        self.policy = policy
    }
}
