/// The `filter` operator: conditions on top-level JSON fields, all of which (or any of which)
/// must hold for a record to pass. A record whose value is not a JSON object passes no condition.
public struct FilterSettings: Sendable, Hashable {
    /// How the conditions combine.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Every condition must hold.
        case all
        /// At least one condition must hold.
        case any
    }

    /// How the conditions combine. Default `all`.
    public var mode: Mode = .all
    /// The conditions, at least one.
    public var conditions: [FilterCondition]

    /// Creates a filter.
    public init(mode: Mode = .all, conditions: [FilterCondition]) {
        self.mode = mode
        self.conditions = conditions
    }
}
