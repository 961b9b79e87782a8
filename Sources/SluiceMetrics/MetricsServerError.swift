/// Why the operations endpoint could not start.
public struct MetricsServerError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, and what to change.
    public var message: String

    /// Creates an error.
    /// - Parameter message: what went wrong and what to do.
    public init(message: String) { self.message = message }

    public var description: String { message }
}
