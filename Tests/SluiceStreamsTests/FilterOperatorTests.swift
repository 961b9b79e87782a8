import SluiceConfiguration
import Testing

@testable import SluiceStreams

@Suite("filter: records pass when their JSON fields meet the conditions")
struct FilterOperatorTests {
    static func condition(_ field: String, _ comparison: FilterCondition.Comparison, _ operand: FilterCondition.Operand) -> FilterCondition {
        FilterCondition(field: field, comparison: comparison, operand: operand)
    }

    let documents = [
        #"{"temp":21.5,"state":"on","armed":true,"error":null}"#,  // 0
        #"{"temp":-3,"state":"off","armed":false}"#,  // 1
        #"{"temp":85,"state":"alarm"}"#,  // 2
        #"{"hum":40}"#,  // 3: no temp
        #"{"temp":"hot"}"#,  // 4: temp of another type
        #"not json"#,  // 5
        #"{"temp":1e2,"state":"o\u006e"}"#,  // 6: exponent, escaped string
    ]

    /// Indices of `documents` that pass `filter`.
    func passing(_ filter: FilterSettings) -> [Int] {
        let compiled = FilterOperator(filter)
        return documents.indices.filter { compiled.passes(Array(documents[$0].utf8)) }
    }

    @Test(
        "each comparison, against hand-computed expectations",
        arguments: [
            (condition("temp", .less, .number(0)), [1]),
            (condition("temp", .lessOrEqual, .number(21.5)), [0, 1]),
            (condition("temp", .greater, .number(21.5)), [2, 6]),
            (condition("temp", .greaterOrEqual, .number(85)), [2, 6]),
            (condition("temp", .equal, .number(100)), [6]),
            (condition("temp", .notEqual, .number(85)), [0, 1, 3, 4, 6]),
            (condition("state", .equal, .string("on")), [0, 6]),
            (condition("state", .less, .string("b")), [2]),
            (condition("state", .notEqual, .string("on")), [1, 2, 3, 4]),
            (condition("armed", .equal, .boolean(true)), [0]),
            (condition("armed", .notEqual, .boolean(true)), [1, 2, 3, 4, 6]),
            (condition("error", .equal, .null), [0]),
            (condition("temp", .exists, .none), [0, 1, 2, 4, 6]),
        ])
    func comparison(condition: FilterCondition, expected: [Int]) {
        // Not-JSON (5) passes no condition, not even !=.
        #expect(passing(FilterSettings(conditions: [condition])) == expected)
    }

    @Test("all needs every condition, any needs one")
    func combinations() {
        let warm = Self.condition("temp", .greater, .number(0))
        let on = Self.condition("state", .equal, .string("on"))
        #expect(passing(FilterSettings(mode: .all, conditions: [warm, on])) == [0, 6])
        #expect(passing(FilterSettings(mode: .any, conditions: [warm, on])) == [0, 2, 6])
    }
}
