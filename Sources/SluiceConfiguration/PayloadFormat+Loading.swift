extension PayloadFormat {
    /// Reads a profile's payload format: for `json`, the `schema` (absent: any object); for `raw`,
    /// `min_bytes` (default 0) and `max_bytes` (default: no limit beyond `mqtt.max_payload_bytes`).
    /// Keys of the other format are reported as conflicts on their line.
    /// - Parameters:
    ///   - mapping: the whole profile.
    ///   - formatName: `json` or `raw`, already read.
    ///   - reader: where problems are reported.
    init(_ mapping: YAMLMapping, formatName: String, reader: inout ConfigurationReader) {
        let otherKeys = formatName == "json" ? ["min_bytes", "max_bytes"] : ["schema"]
        for key in otherKeys {
            if let value = mapping[key] {
                reader.errors.append(
                    value.keyLocation.error(
                        .conflict,
                        "\(key) applies to format: \(formatName == "json" ? "raw" : "json"), not \(formatName)",
                        fix: "remove \(key), or change the format"))
            }
        }
        if formatName == "raw" {
            var minimum = 0
            var maximum: Int?
            reader.read(mapping["min_bytes"], into: &minimum) { value throws(ConfigurationError) in
                try value.byteCount()
            }
            reader.read(mapping["max_bytes"], into: &maximum) { value throws(ConfigurationError) in
                let bytes = try value.byteCount()
                try value.require(
                    bytes >= minimum, expected: "max_bytes at least min_bytes (\(minimum))",
                    fix: "raise max_bytes or lower min_bytes")
                return bytes
            }
            self = .raw(minBytes: minimum, maxBytes: maximum)
            return
        }
        var fields: [JSONFieldRule] = []
        if let schema = mapping["schema"], let schemaMapping = reader.mapping(schema, keys: nil) {
            for (name, value) in schemaMapping.entries {
                if let rule = JSONFieldRule(name: name, value, reader: &reader) { fields.append(rule) }
            }
        }
        self = .json(JSONSchema(fields: fields))
    }
}
