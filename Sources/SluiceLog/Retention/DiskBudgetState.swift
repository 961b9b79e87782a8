import Synchronization

/// The disk budget as last enforced, shared by the service that enforces it, ingest (which stops
/// taking records while the budget is exceeded) and status.
///
/// Thread-safety: atomics; safe from any thread.
public final class DiskBudgetState: Sendable {
    private let exceeded = Atomic<Bool>(false)
    private let used = Atomic<Int>(0)
    private let free = Atomic<Int>(0)

    /// Creates a state that is not exceeded.
    public init() {}

    /// Whether nothing more may be deleted and the budget is still exceeded: new records wait.
    public var isExceeded: Bool { exceeded.load(ordering: .acquiring) }
    /// Bytes in all segments at the last pass.
    public var usedBytes: Int { used.load(ordering: .relaxed) }
    /// Free bytes on the filesystem at the last pass.
    public var freeBytes: Int { free.load(ordering: .relaxed) }

    /// Records the outcome of one pass. Returns whether `isExceeded` changed.
    @discardableResult
    public func update(_ result: DiskBudgetResult) -> Bool {
        used.store(result.usedBytes, ordering: .relaxed)
        free.store(result.freeBytes, ordering: .relaxed)
        return exceeded.exchange(result.isExceeded, ordering: .acquiringAndReleasing) != result.isExceeded
    }
}
