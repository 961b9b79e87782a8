/// One condition of a `filter`, written `<field> <op> <value>` (`temp > 30`, `state == "alarm"`)
/// or `<field> exists`.
///
/// Numbers compare as numbers, strings as bytes (`<` orders them bytewise), `true`/`false` and
/// `null` only with `==` and `!=`. A field that is absent, or of another JSON type than the value,
/// fails every condition except `!=` (which it passes: it is not equal).
public struct FilterCondition: Sendable, Hashable, CustomStringConvertible {
    /// The comparison.
    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case equal = "=="
        case notEqual = "!="
        case exists
    }

    /// The value compared with.
    public enum Operand: Sendable, Hashable {
        case number(Double)
        case string(String)
        case boolean(Bool)
        case null
        /// For `exists`, which takes no value.
        case none
    }

    /// The top-level field of the JSON value.
    public var field: String
    /// How it is compared.
    public var comparison: Comparison
    /// What it is compared with.
    public var operand: Operand

    /// Creates a condition.
    public init(field: String, comparison: Comparison, operand: Operand) {
        self.field = field
        self.comparison = comparison
        self.operand = operand
    }

    /// The condition as the configuration writes it.
    public var description: String {
        switch operand {
        case .none: "\(field) exists"
        case .number(let number): "\(field) \(comparison.rawValue) \(number)"
        case .string(let text): "\(field) \(comparison.rawValue) \"\(text)\""
        case .boolean(let value): "\(field) \(comparison.rawValue) \(value)"
        case .null: "\(field) \(comparison.rawValue) null"
        }
    }
}
