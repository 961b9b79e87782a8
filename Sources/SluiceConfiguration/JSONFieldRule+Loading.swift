extension JSONFieldRule {
    /// Reads one schema entry: `name: <type>` (required), or `name: { type: <type>, required: false }`.
    init?(name: String, _ value: YAMLValue, reader: inout ConfigurationReader) {
        if value.isMapping {
            guard let mapping = reader.mapping(value, keys: ["type", "required"]) else { return nil }
            var isRequired = true
            reader.read(mapping["required"], into: &isRequired) { value throws(ConfigurationError) in
                try value.boolean()
            }
            guard
                let type = reader.attempt({ () throws(ConfigurationError) in
                    try mapping.required("type", fix: "add type: number").choice(JSONFieldType.self)
                })
            else { return nil }
            self.init(name: name, type: type, isRequired: isRequired)
        } else {
            guard let type = reader.attempt({ () throws(ConfigurationError) in try value.choice(JSONFieldType.self) })
            else {
                return nil
            }
            self.init(name: name, type: type)
        }
    }
}
