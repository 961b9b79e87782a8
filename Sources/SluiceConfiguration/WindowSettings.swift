/// The `window` operator: per key, windows of event time (the record timestamp) `size` long,
/// starting every `advance` (tumbling when equal, hopping when smaller), aligned to the Unix epoch.
/// A window closes once the key's newest timestamp reaches its end plus `grace`; then one record is
/// written: `{"window_start":…,"window_end":…,"count":…,"<field>_<function>":…}`, timestamped with
/// the window start. A record whose every window has closed is late: it goes to the dead-letter
/// topic with reason `late`, counted.
public struct WindowSettings: Sendable, Hashable {
    /// The window length.
    public var size: Duration
    /// The distance between window starts. Default: `size` (tumbling windows).
    public var advance: Duration
    /// How long after a window's end records still count for it. Default 0s. At most `size`.
    public var grace: Duration = .zero
    /// What is computed, per field.
    public var aggregates: [WindowAggregate]

    /// Creates tumbling windows.
    public init(size: Duration, advance: Duration? = nil, grace: Duration = .zero, aggregates: [WindowAggregate]) {
        self.size = size
        self.advance = advance ?? size
        self.grace = grace
        self.aggregates = aggregates
    }
}
