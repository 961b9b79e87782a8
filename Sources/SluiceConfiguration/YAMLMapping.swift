/// The entries of a YAML mapping whose keys have been checked, in file order.
struct YAMLMapping {
    /// The mapping as a value: missing keys are reported at its key.
    let owner: YAMLValue
    /// The known entries, in file order.
    let entries: [(key: String, value: YAMLValue)]

    /// The value of `key`, or nil when the key is absent.
    subscript(key: String) -> YAMLValue? {
        entries.first { $0.key == key }?.value
    }

    /// The value of `key`, which must be present and not null.
    /// - Throws: `.missingValue` at the mapping's key (or, for the document, without a line).
    func required(_ key: String, fix: String? = nil) throws(ConfigurationError) -> YAMLValue {
        if let value = self[key], !value.isNull { return value }
        let name = owner.path.isEmpty ? key : "\(owner.path).\(key)"
        var location = owner.keyLocation
        if owner.path.isEmpty { location = FileLocation(file: location.file) }
        throw location.error(.missingValue, "\(name) is required but missing", fix: fix ?? "add \(key): …")
    }
}
