/// What the operations endpoint serves, as closures the daemon provides: the server knows no part
/// of the daemon.
///
/// Each closure runs on the server's event-loop thread for every request, so keep it to memory
/// reads and cheap system calls (no SQLite, no segment reads): sample counters that already
/// exist, and serve what slower samplers prepared.
public struct MetricsEndpoints: Sendable {
    /// Refreshes the registry's gauges and counters from the daemon's statistics, just before a
    /// `/metrics` answer is rendered.
    public var willScrape: @Sendable () -> Void
    /// The current health, for `/healthz`.
    public var health: @Sendable () -> HealthReport
    /// The latest status as JSON, for `/status.json` (and the page that polls it).
    public var statusJSON: @Sendable () -> [UInt8]

    /// Creates the endpoints.
    /// - Parameters:
    ///   - willScrape: updates the registry before `/metrics` renders it.
    ///   - health: answers `/healthz`.
    ///   - statusJSON: answers `/status.json`.
    public init(
        willScrape: @escaping @Sendable () -> Void, health: @escaping @Sendable () -> HealthReport,
        statusJSON: @escaping @Sendable () -> [UInt8]
    ) {
        self.willScrape = willScrape
        self.health = health
        self.statusJSON = statusJSON
    }
}
