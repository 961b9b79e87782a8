import Synchronization

/// Wakes readers that wait for new records (a Kafka Fetch long poll) when a partition of the log
/// appends.
///
/// A reader notes ``generation``, looks for data, and if there is too little waits with
/// ``wait(after:timeout:)`` for the generation to move on: an append between the look and the
/// wait is never missed. One signal serves every partition of a `LogManager`; a wake-up only
/// means "look again".
///
/// Thread-safety: all methods may be called from any thread or task. `notify()` is one uncontended
/// lock per appended batch when nobody waits.
public final class AppendSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiterID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// Waiters cancelled before they registered: they must not register afterwards.
        var cancelled: Set<UInt64> = []
    }

    private let state = Mutex(State())

    /// Creates a signal at generation 0.
    public init() {}

    /// How many appends have been signalled; compare before and after a wait.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Moves the generation on and wakes every waiter. Called by `Partition` after each append.
    public func notify() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            guard !state.waiters.isEmpty else { return [] }
            let woken = Array(state.waiters.values)
            state.waiters.removeAll(keepingCapacity: true)
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once the generation differs from `generation`, the timeout passes, or the task is
    /// cancelled, whichever comes first.
    /// - Parameters:
    ///   - generation: the ``generation`` read before the caller looked for data.
    ///   - timeout: the longest wait.
    public func wait(after generation: UInt64, timeout: Duration) async {
        guard timeout > .zero, self.generation == generation else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForChange(from: generation) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForChange(from generation: UInt64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID &+= 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.cancelled.remove(id) != nil || state.generation != generation { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let continuation = state.waiters.removeValue(forKey: id) { return continuation }
                state.cancelled.insert(id)
                return nil
            }
            continuation?.resume()
        }
        // A cancellation that came after the wake-up left its mark; the handler can no longer run.
        state.withLock { _ = $0.cancelled.remove(id) }
    }
}
