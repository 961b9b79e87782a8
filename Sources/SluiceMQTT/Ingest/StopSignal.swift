import Glibc
import Synchronization

/// A one-shot stop request that also wakes a thread blocked in `poll` (through a pipe).
///
/// Thread-safety: safe from any thread.
final class StopSignal: Sendable {
    /// The read end to include in `poll`; readable once stopped.
    let descriptor: Int32
    private let writeEnd: Int32
    private let stopped = Atomic<Bool>(false)

    init() {
        var ends: [Int32] = [-1, -1]
        let result = pipe(&ends)
        precondition(result == 0, "pipe failed: \(errno)")
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        descriptor = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(descriptor)
        close(writeEnd)
    }

    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    func stop() {
        stopped.store(true, ordering: .releasing)
        var one: UInt8 = 1
        _ = write(writeEnd, &one, 1)
    }

    /// Waits up to `milliseconds` (or until stopped). Returns whether stopped.
    func wait(milliseconds: Int32) -> Bool {
        var descriptorToPoll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptorToPoll, 1, milliseconds)
        return isStopped
    }
}
