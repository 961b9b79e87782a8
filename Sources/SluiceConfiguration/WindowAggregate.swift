/// The aggregates a `window` computes over one numeric top-level field: each becomes the output
/// field `<field>_<function>`. Records without a numeric value of the field do not count for it.
public struct WindowAggregate: Sendable, Hashable {
    /// An aggregate function.
    public enum Function: String, Sendable, Hashable, CaseIterable {
        /// How many records had a numeric value of the field.
        case count
        case min
        case max
        /// The mean, `sum / count`.
        case avg
        case sum
        /// The value of the window's first record (in log order).
        case first
        /// The value of the window's last record (in log order).
        case last
    }

    /// The field.
    public var field: String
    /// The functions, in output order.
    public var functions: [Function]

    /// Creates an aggregate.
    public init(field: String, functions: [Function]) {
        self.field = field
        self.functions = functions
    }
}
