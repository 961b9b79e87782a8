/// The `deadband` operator: per key, a record passes only when its numeric `field` moved by more
/// than `delta` since the last record that passed, or when `max_silence` of event time (record
/// timestamps) passed since then (a heartbeat). The first record of a key always passes; records
/// without a numeric `field` pass unchanged (nothing is hidden that the deadband cannot judge).
public struct DeadbandSettings: Sendable, Hashable {
    /// How far a value must move.
    public enum Threshold: Sendable, Hashable {
        /// More than this many units.
        case absolute(Double)
        /// More than this percentage of the last passed value's magnitude.
        case percent(Double)
    }

    /// The numeric top-level field watched.
    public var field: String
    /// How far it must move.
    public var delta: Threshold
    /// After this much event time without a passed record, the next one passes anyway; nil: never. Default nil.
    public var maxSilence: Duration?

    /// Creates a deadband.
    public init(field: String, delta: Threshold, maxSilence: Duration? = nil) {
        self.field = field
        self.delta = delta
        self.maxSilence = maxSilence
    }
}
