import Synchronization

/// Whether the log's background passes (group-commit fsyncs, the disk budget, retention) last
/// succeeded, shared by the service that runs them and the health checks: a failing fsync or a
/// vanished data directory makes the gateway unhealthy instead of only printing a line.
///
/// Thread-safety: a lock around the failures; safe from any thread.
public final class LogMaintenanceState: Sendable {
    /// One kind of background pass; each fails and recovers on its own.
    public enum Pass: String, Sendable, CaseIterable {
        /// The group-commit fsyncs of partitions due.
        case fsync
        /// The disk budget (`storage.max_bytes`, `min_free_bytes`).
        case diskBudget = "disk budget"
        /// Time and size retention.
        case retention
    }

    /// A pass failing: what failed and since when (Unix milliseconds).
    public struct Failure: Sendable, Equatable {
        /// The pass that fails.
        public var pass: Pass
        /// The error of its last run.
        public var error: LogError
        /// When the first of the failures in a row happened.
        public var sinceMillis: Int64
        /// How many runs in a row failed.
        public var count: Int
    }

    private let failures = Mutex<[Pass: Failure]>([:])

    /// Creates a state with no failure.
    public init() {}

    /// The passes failing now, in `Pass` order (empty while all work).
    public var currentFailures: [Failure] {
        let current = failures.withLock { $0 }
        return Pass.allCases.compactMap { current[$0] }
    }

    /// Records a failed run of `pass`.
    public func noteFailure(_ pass: Pass, _ error: LogError, nowMillis: Int64 = LogClock.nowMillis()) {
        failures.withLock { failures in
            let previous = failures[pass]
            failures[pass] = Failure(pass: pass, error: error, sinceMillis: previous?.sinceMillis ?? nowMillis, count: (previous?.count ?? 0) + 1)
        }
    }

    /// Records a run of `pass` that succeeded; returns the failure it ends, if any.
    @discardableResult
    public func noteSuccess(_ pass: Pass) -> Failure? {
        failures.withLock { $0.removeValue(forKey: pass) }
    }
}
