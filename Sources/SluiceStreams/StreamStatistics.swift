import SluiceCatalog
import SluiceConfiguration
import Synchronization

/// The status of every stream job, updated by the jobs and read by the status service, and the
/// input offsets their checkpoints hold, which retention must keep.
///
/// Thread-safety: all methods may be called from any thread; one lock.
public final class StreamStatistics: Sendable {
    private struct State {
        var jobs: [String: StreamJobStatus] = [:]
        /// Per job, the next input offset of each partition in its last checkpoint.
        var checkpointed: [String: [TopicPartitionKey: Int64]] = [:]
    }

    private let state = Mutex(State())
    /// Per input topic, the jobs reading it.
    private let jobsByInput: [String: [String]]

    /// Creates empty statistics for `jobs` (nothing is deleted from their inputs before they
    /// checkpointed past it).
    public init(jobs: [StreamJobSettings] = []) {
        var jobsByInput: [String: [String]] = [:]
        for job in jobs {
            for input in Set(job.inputs) { jobsByInput[input, default: []].append(job.name) }
        }
        self.jobsByInput = jobsByInput
    }

    /// Replaces a job's status.
    func update(_ status: StreamJobStatus) { state.withLock { $0.jobs[status.name] = status } }

    /// Records the input offsets of a job's checkpoint just saved or restored.
    func noteCheckpoint(job: String, inputOffsets: [TopicPartitionKey: Int64]) {
        state.withLock { $0.checkpointed[job] = inputOffsets }
    }

    /// Every job's status, by name.
    public var all: [StreamJobStatus] { state.withLock { $0.jobs.values.sorted { $0.name < $1.name } } }

    /// The first offset of `topic`-`partition` a job may still read, even after a crash: the
    /// lowest checkpointed offset of the jobs reading the topic (`logStartOffset`, keep
    /// everything, for a job not checkpointed yet); nil for a topic no job reads.
    public func firstNeededOffset(topic: String, partition: Int, logStartOffset: Int64) -> Int64? {
        guard let jobs = jobsByInput[topic] else { return nil }
        let key = TopicPartitionKey(topic: topic, partition: partition)
        return state.withLock { state in
            jobs.map { state.checkpointed[$0]?[key] ?? logStartOffset }.min()
        }
    }
}
