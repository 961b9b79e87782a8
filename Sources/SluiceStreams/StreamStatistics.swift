import Synchronization

/// The status of every stream job, updated by the jobs and read by the status service.
///
/// Thread-safety: all methods may be called from any thread; one lock.
public final class StreamStatistics: Sendable {
    private let jobs = Mutex<[String: StreamJobStatus]>([:])

    /// Creates empty statistics.
    public init() {}

    /// Replaces a job's status.
    func update(_ status: StreamJobStatus) { jobs.withLock { $0[status.name] = status } }

    /// Every job's status, by name.
    public var all: [StreamJobStatus] { jobs.withLock { $0.values.sorted { $0.name < $1.name } } }
}
