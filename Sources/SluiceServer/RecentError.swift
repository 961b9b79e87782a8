/// One error the daemon reported (ingest, log, upstream, catalog), as the status page lists them.
public struct RecentError: Codable, Sendable, Equatable {
    /// When it was first seen (ms since the epoch).
    public var atMillis: Int64
    /// The part that reported it: `mqtt`, `log`, `upstream`, `catalog`.
    public var source: String
    /// The error's text.
    public var message: String

    /// Creates an entry.
    public init(atMillis: Int64, source: String, message: String) {
        self.atMillis = atMillis
        self.source = source
        self.message = message
    }
}
