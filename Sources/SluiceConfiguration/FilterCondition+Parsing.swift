extension FilterCondition {
    /// Reads `<field> <op> <value>` or `<field> exists`: `temp > 30`, `temp <= -0.5`,
    /// `state == "alarm"`, `armed != true`, `error == null`, `battery exists`. Operators are
    /// `<`, `<=`, `>`, `>=`, `==`, `!=`; values are JSON numbers, quoted strings, `true`, `false`, `null`.
    static func parse(_ value: YAMLValue) throws(ConfigurationError) -> FilterCondition {
        let expected = "a condition such as \"temp > 30\", 'state == \"alarm\"' or \"battery exists\""
        let text = try value.string(expected: expected)
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func skipSpaces() { while index < scalars.count, scalars[index] == " " { index += 1 } }
        skipSpaces()
        let fieldStart = index
        while index < scalars.count, !" <>=!".unicodeScalars.contains(scalars[index]) { index += 1 }
        let field = String(String.UnicodeScalarView(scalars[fieldStart..<index]))
        guard !field.isEmpty else {
            throw value.error(.invalidValue, expected: expected, fix: "start with the field name")
        }
        skipSpaces()
        let rest = String(String.UnicodeScalarView(scalars[index...]))
        if rest == "exists" { return FilterCondition(field: field, comparison: .exists, operand: .none) }
        let comparisons: [Comparison] = [.lessOrEqual, .greaterOrEqual, .equal, .notEqual, .less, .greater]
        guard let comparison = comparisons.first(where: { rest.hasPrefix($0.rawValue) }) else {
            let fix = rest.hasPrefix("=") ? "compare with == (two equals signs)" : "use <, <=, >, >=, ==, != or exists after the field name"
            throw value.error(.invalidValue, expected: expected, fix: fix)
        }
        var operandText = String(rest.dropFirst(comparison.rawValue.count))
        while operandText.hasPrefix(" ") { operandText.removeFirst() }
        while operandText.hasSuffix(" ") { operandText.removeLast() }
        let operand: Operand
        switch operandText {
        case "": throw value.error(.missingValue, expected: expected, fix: "add a value after \(comparison.rawValue)")
        case "true": operand = .boolean(true)
        case "false": operand = .boolean(false)
        case "null": operand = .null
        default:
            if operandText.count >= 2, let quote = operandText.first, quote == "\"" || quote == "'", operandText.last == quote {
                operand = .string(String(operandText.dropFirst().dropLast()))
            } else if let number = Double(operandText), number.isFinite, operandText.first != "+", !operandText.hasPrefix(".") {
                operand = .number(number)
            } else {
                throw value.error(
                    .invalidValue, expected: expected,
                    fix: "compare with a number, a quoted string (\(field) == \"\(operandText)\"), true, false or null")
            }
        }
        switch (comparison, operand) {
        case (.equal, _), (.notEqual, _), (_, .number), (_, .string): break
        default:
            throw value.error(.invalidValue, expected: expected, fix: "true, false and null compare only with == and !=")
        }
        return FilterCondition(field: field, comparison: comparison, operand: operand)
    }
}
