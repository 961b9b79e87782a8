import Synchronization

/// Idempotent producers (KIP-98 without transactions): hands out producer ids and remembers, per
/// producer and partition, the last five batches appended (a producer's most in flight), so a
/// batch a producer retries (its response was lost) is answered with its first offset instead of
/// being appended twice.
///
/// Kept in memory: after a restart a producer's next batch is accepted whatever its sequence
/// (Kafka would rebuild the state from the log). Bounded: past `capacity` entries the oldest
/// are forgotten.
///
/// Thread-safety: one lock; any thread.
final class ProducerRegistry: Sendable {
    struct Key: Hashable {
        var producerID: Int64
        var topic: String
        var partition: Int
    }

    struct AppendedBatch {
        var baseSequence: Int32
        var lastSequence: Int32
        var baseOffset: Int64
    }

    struct LastBatches {
        var epoch: Int16
        /// Oldest first, at most five.
        var batches: [AppendedBatch]
        var touched: UInt64
    }

    /// What to do with a batch.
    enum Verdict: Equatable {
        case append
        /// A retry of the last batch: answer with its offset, append nothing.
        case duplicate(baseOffset: Int64)
        case outOfOrder(expected: Int32)
    }

    private struct State {
        var nextID: Int64
        var batches: [Key: LastBatches] = [:]
        var clock: UInt64 = 0
    }

    private let state: Mutex<State>
    private let capacity: Int

    init(firstID: Int64, capacity: Int = 10_000) {
        self.state = Mutex(State(nextID: firstID))
        self.capacity = capacity
    }

    /// A new producer id.
    func newProducerID() -> Int64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Whether a batch from `key` with these sequence numbers should be appended.
    func verdict(_ key: Key, epoch: Int16, baseSequence: Int32, lastSequence: Int32) -> Verdict {
        state.withLock { state in
            guard let known = state.batches[key], known.epoch == epoch, let last = known.batches.last else { return .append }
            if let retried = known.batches.first(where: { $0.baseSequence == baseSequence && $0.lastSequence == lastSequence }) {
                return .duplicate(baseOffset: retried.baseOffset)
            }
            let expected = last.lastSequence == Int32.max ? 0 : last.lastSequence + 1
            return baseSequence == expected ? .append : .outOfOrder(expected: expected)
        }
    }

    /// Records a batch just appended.
    func appended(_ key: Key, epoch: Int16, baseSequence: Int32, lastSequence: Int32, baseOffset: Int64) {
        state.withLock { state in
            state.clock += 1
            var known = state.batches[key].flatMap { $0.epoch == epoch ? $0 : nil } ?? LastBatches(epoch: epoch, batches: [], touched: 0)
            known.batches.append(AppendedBatch(baseSequence: baseSequence, lastSequence: lastSequence, baseOffset: baseOffset))
            if known.batches.count > 5 { known.batches.removeFirst() }
            known.touched = state.clock
            state.batches[key] = known
            if state.batches.count > capacity {
                let oldest = state.batches.min { $0.value.touched < $1.value.touched }!.key
                state.batches.removeValue(forKey: oldest)
            }
        }
    }
}
