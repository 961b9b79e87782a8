extension TimestampField {
    /// Reads a profile's `timestamp: { field: <name>, unit: milliseconds | seconds | rfc3339 }`.
    /// When the schema lists the field, its type must fit the unit: a number for epoch units, a
    /// string for RFC 3339.
    /// - Parameters:
    ///   - mapping: the `timestamp` section.
    ///   - format: the profile's payload format, for the schema.
    ///   - reader: where problems are reported.
    init?(_ mapping: YAMLMapping, format: PayloadFormat, reader: inout ConfigurationReader) {
        let fieldValue = reader.attempt { () throws(ConfigurationError) in
            try mapping.required("field", fix: "add field: ts")
        }
        let field = fieldValue.flatMap { value in
            reader.attempt { () throws(ConfigurationError) in try value.string(expected: "a field name") }
        }
        let unit = reader.attempt { () throws(ConfigurationError) in
            try mapping.required("unit", fix: "add unit: milliseconds, seconds or rfc3339").choice(TimestampUnit.self)
        }
        guard let fieldValue, let field, let unit else { return nil }
        if case .json(let schema) = format, let rule = schema.fields.first(where: { $0.name == field }) {
            let (kind, fitting): (String, [JSONFieldType]) =
                unit == .rfc3339 ? ("string", [.string, .any]) : ("number", [.number, .integer, .any])
            if !fitting.contains(rule.type) {
                reader.errors.append(
                    fieldValue.location.error(
                        .conflict,
                        "timestamp.field: expected a \(kind) field for unit \(unit.rawValue), "
                            + "found schema type \(rule.type) for '\(field)'",
                        fix: "change the unit or the field's type in the schema"))
            }
        }
        self.init(name: field, unit: unit)
    }
}
