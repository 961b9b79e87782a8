import SluiceConfiguration
import SluiceLog
import Synchronization

/// What applying new device profiles changed in the running ingest loop.
public struct IngestReloadSummary: Sendable, Equatable {
    /// Log topics opened for profiles that name a topic ingest did not write before.
    public var openedTopics: [String] = []
    /// MQTT filters subscribed on the live session.
    public var subscribed: [String] = []
    /// MQTT filters no profile needs any more, unsubscribed on the live session.
    public var unsubscribed: [String] = []
    /// Whether the broker session was up; if not, the next connect subscribes the new filters.
    public var isSessionUp = false

    /// An empty summary.
    public init() {}
}

/// Reload requests handed from any task to the ingest thread, which takes them between bursts
/// (after the last burst was written and acknowledged, with every batch builder empty).
///
/// Thread-safety: a lock around the queue; safe from any thread.
final class IngestReloadMailbox: Sendable {
    /// One request: the new configuration and who waits for the outcome.
    struct Request: Sendable {
        var configuration: SluiceConfiguration
        var completion: @Sendable (Result<IngestReloadSummary, LogError>) -> Void
    }

    private struct State {
        var requests: [Request] = []
        var isClosed = false
    }

    private let state = Mutex(State())

    /// Queues `request`; once the loop has stopped, fails it at once.
    func post(_ request: Request) {
        let isQueued = state.withLock { state in
            if !state.isClosed { state.requests.append(request) }
            return !state.isClosed
        }
        if !isQueued { request.completion(.failure(Self.stopped)) }
    }

    /// The oldest waiting request, if any.
    func take() -> Request? {
        state.withLock { $0.requests.isEmpty ? nil : $0.requests.removeFirst() }
    }

    /// Called when the loop stops: fails what waits and every later request.
    func close() {
        let waiting = state.withLock { state in
            state.isClosed = true
            defer { state.requests.removeAll() }
            return state.requests
        }
        for request in waiting { request.completion(.failure(Self.stopped)) }
    }

    private static let stopped = LogError(code: .closed, message: "ingest has stopped; the reload was not applied")
}
