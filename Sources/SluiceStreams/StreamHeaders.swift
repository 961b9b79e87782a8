/// The headers a stream job adds to every record it writes: which job, and the input record it
/// derives from. A restarted job reads them back from the output's tail to skip what is already
/// written (exactly once).
public enum StreamHeaders {
    /// The job's name.
    public static let job = "sluice.stream"
    /// The input partition, `topic-partition`.
    public static let source = "sluice.source"
    /// The input record's offset, decimal.
    public static let sourceOffset = "sluice.source_offset"
    /// On dead letters: why (`late`).
    public static let reason = "sluice.reason"
    /// On dead letters: details.
    public static let detail = "sluice.detail"
}
