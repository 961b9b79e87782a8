/// Metadata keys shared by every Sluice target's log lines, in one place (stable: log queries
/// and journald filters use them).
public enum LogLoggingKeys {
    /// Occurrences a rate-limited line stands for (itself plus the suppressed ones), when more than one.
    public static let count = "log.count"
    /// Lines of the same kind suppressed since the last one printed.
    public static let suppressed = "log.suppressed"
}
