/// Metadata keys of ingest's log lines, in one place (stable: log queries use them).
enum IngestLoggingKeys {
    /// Why a message went to the dead-letter topic (`DeadLetterReason`'s raw value).
    static let reason = "ingest.reason"
    /// The topic concerned.
    static let topic = "ingest.topic"
}
