/// The metadata keys the operations endpoint logs with, in one place (stable: log queries use them).
enum MetricsLoggingKeys {
    /// The address bound, `host:port`.
    static let listen = "metrics.listen"
    /// The status page's URL.
    static let statusPage = "metrics.status_page"
    /// What went wrong.
    static let error = "metrics.error"
}
