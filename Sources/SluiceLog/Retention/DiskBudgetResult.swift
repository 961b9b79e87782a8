/// What one enforcement pass of a ``DiskBudget`` found and did.
public struct DiskBudgetResult: Sendable, Equatable {
    /// Bytes in all segments after the pass.
    public var usedBytes = 0
    /// Bytes free for this user on the filesystem after the pass.
    public var freeBytes = 0
    /// Segments deleted.
    public var deletedSegments = 0
    /// Records in deleted segments.
    public var deletedRecords: Int64 = 0
    /// Of those, records that had not been forwarded (dropped by `drop-oldest`).
    public var droppedUnforwardedRecords: Int64 = 0
    /// Whether the budget is still exceeded: nothing more may be deleted (only active segments
    /// or, with `block`, unforwarded records remain). New records should wait.
    public var isExceeded = false

    /// A pass that found the budget kept.
    public init() {}
}
