import SluiceConfiguration
import SluiceJSON

/// The `filter` operator: passes a record when its JSON value meets the conditions (all or any).
///
/// Pure and stateless: one pass over the value per record (`JSONFieldFinder`: the payloads were
/// validated at ingest), no allocation for plain fields.
public struct FilterOperator: Sendable {
    private let settings: FilterSettings
    private let finder: JSONFieldFinder
    /// For each condition, the index of its field among the finder's keys.
    private let fieldIndex: [Int]
    /// String operands as UTF-8.
    private let operandBytes: [[UInt8]]

    /// Compiles a filter.
    public init(_ settings: FilterSettings) {
        self.settings = settings
        var keys: [String] = []
        var indices: [Int] = []
        for condition in settings.conditions {
            if let index = keys.firstIndex(of: condition.field) {
                indices.append(index)
            } else {
                indices.append(keys.count)
                keys.append(condition.field)
            }
        }
        finder = JSONFieldFinder(keys: keys)
        fieldIndex = indices
        operandBytes = settings.conditions.map { condition in
            if case .string(let text) = condition.operand { Array(text.utf8) } else { [] }
        }
    }

    /// The top-level fields the conditions read, in the order `passes(document:fields:slots:)` maps them.
    public var fields: [String] { finder.keys }

    /// Whether a document passes whose fields were already found: `fields[slots[i]]` is the
    /// value of `self.fields[i]` (the pipeline finds the fields of all its operators in one pass).
    /// `numbers[slot]` is the finite number a found field holds, if any (parsed once for all operators).
    public func passes(
        document: UnsafeRawBufferPointer, fields: UnsafeBufferPointer<JSONField?>, numbers: UnsafeBufferPointer<Double?>, slots: [Int]
    ) -> Bool {
        switch settings.mode {
        case .all:
            for index in settings.conditions.indices {
                let slot = slots[fieldIndex[index]]
                if !holds(index, fields[slot], document, number: numbers[slot]) { return false }
            }
            return true
        case .any:
            for index in settings.conditions.indices {
                let slot = slots[fieldIndex[index]]
                if holds(index, fields[slot], document, number: numbers[slot]) { return true }
            }
            return false
        }
    }

    /// Whether `value` passes. A value that is not a JSON object passes no condition.
    public func passes(_ value: [UInt8]?) -> Bool {
        guard let value else { return false }
        let keyCount = finder.keys.count
        return value.withUnsafeBytes { document in
            withUnsafeTemporaryAllocation(of: JSONField?.self, capacity: max(1, keyCount)) { fields in
                defer { fields.deinitialize() }
                guard finder.find(document, into: fields) else { return false }
                switch settings.mode {
                case .all:
                    for index in settings.conditions.indices where !holds(index, fields[fieldIndex[index]], document) { return false }
                    return true
                case .any:
                    for index in settings.conditions.indices where holds(index, fields[fieldIndex[index]], document) { return true }
                    return false
                }
            }
        }
    }

    /// Whether condition `index` holds for `field` (whose number, if already parsed, is `number`).
    private func holds(_ index: Int, _ field: JSONField?, _ document: UnsafeRawBufferPointer, number parsed: Double?? = nil) -> Bool {
        let condition = settings.conditions[index]
        guard let field else { return condition.comparison == .notEqual && condition.operand != .none }
        let order: Int?  // -1, 0, 1 when comparable
        switch condition.operand {
        case .none:
            return true  // exists
        case .number(let operand):
            guard field.kind == .number, let number = parsed ?? JSONNumber.parse(UnsafeRawBufferPointer(rebasing: document[field.range])) else {
                order = nil
                break
            }
            order = number < operand ? -1 : (number > operand ? 1 : 0)
        case .string:
            guard field.kind == .string else {
                order = nil
                break
            }
            if field.hasEscapes {
                let text = Array((field.decodedString(in: document) ?? "").utf8)
                order = text.withUnsafeBytes { Self.compare($0, operandBytes[index]) }
            } else {
                order = Self.compare(UnsafeRawBufferPointer(rebasing: document[field.contentRange]), operandBytes[index])
            }
        case .boolean(let operand):
            guard field.kind == .boolean else {
                order = nil
                break
            }
            let isTrue = document[field.range.lowerBound] == UInt8(ascii: "t")
            order = isTrue == operand ? 0 : 1
        case .null:
            order = field.kind == .null ? 0 : nil
        }
        guard let order else { return condition.comparison == .notEqual }
        switch condition.comparison {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .exists: return true
        }
    }

    /// Bytewise three-way comparison.
    private static func compare(_ left: UnsafeRawBufferPointer, _ right: [UInt8]) -> Int {
        let count = min(left.count, right.count)
        for index in 0..<count where left[index] != right[index] { return left[index] < right[index] ? -1 : 1 }
        return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
    }
}
