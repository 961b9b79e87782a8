import Synchronization

/// The bytes of requests the listener holds, across all connections (Kafka's
/// `queued.max.request.bytes`): a request's frame reserves its length when its length prefix
/// arrives, before its body is read, and gives it back once it is answered. A connection whose
/// next frame does not fit waits, unread, until another request is answered.
///
/// A frame is always admitted while nothing is reserved, so a frame larger than the pool (but
/// within `max_request_bytes`) still gets through, alone.
///
/// Thread-safety: one lock; any thread. Waiters are called outside the lock.
final class RequestMemoryPool: Sendable {
    /// The bytes that may be reserved at once.
    let capacity: Int

    private struct State {
        var reserved = 0
        var peak = 0
        var waiters: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Bytes reserved now.
    var reservedBytes: Int { state.withLock { $0.reserved } }
    /// The most bytes reserved at once since the pool was made.
    var peakReservedBytes: Int { state.withLock { $0.peak } }

    /// Reserves `bytes` if they fit (or if nothing is reserved); otherwise registers `wake`, to
    /// be called once after the next release, and returns false.
    func reserve(_ bytes: Int, orWake wake: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            guard state.reserved == 0 || state.reserved + bytes <= capacity else {
                state.waiters.append(wake)
                return false
            }
            state.reserved += bytes
            state.peak = max(state.peak, state.reserved)
            return true
        }
    }

    /// Gives back `bytes` and wakes every waiter (each tries again).
    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        let waiters = state.withLock { state in
            state.reserved = max(0, state.reserved - bytes)
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for wake in waiters { wake() }
    }
}
