import Foundation

extension DeviceProfile {
    /// The keys of a device-profile file.
    static let configurationKeys = [
        "filter", "device_id", "topic", "format", "schema", "timestamp", "min_bytes", "max_bytes",
    ]

    /// Loads a device profile from `devices/<class>.yaml`; the profile is named after the file.
    /// - Parameter path: the file.
    /// - Returns: the profile, its `sourceFile` set to `path`.
    /// - Throws: `ConfigurationErrors` with every problem in the file, each naming its line.
    public static func load(file path: String) throws(ConfigurationErrors) -> DeviceProfile {
        let yaml: String
        do {
            yaml = try ConfigurationReader.contents(of: path)
        } catch {
            throw ConfigurationErrors([error])
        }
        return try load(yaml: yaml, file: path)
    }

    /// Loads a device profile from YAML text.
    /// - Parameters:
    ///   - yaml: the profile's text.
    ///   - path: the file it came from: it names the profile and appears in messages.
    /// - Returns: the profile.
    /// - Throws: `ConfigurationErrors` with every problem in the text, each naming its line.
    public static func load(yaml: String, file path: String) throws(ConfigurationErrors) -> DeviceProfile {
        var reader = ConfigurationReader(file: path)
        guard let document = read(yaml: yaml, reader: &reader), reader.errors.isEmpty else {
            throw ConfigurationErrors(reader.errors)
        }
        return document.profile
    }

    /// Reads a profile, reporting its problems into `reader`.
    /// - Returns: the profile with the places of its filter and topic, or nil when a required part
    ///   is unusable. A profile may be returned with problems reported; check `reader.errors`.
    static func read(yaml: String, reader: inout ConfigurationReader) -> DeviceProfileDocument? {
        let root: YAMLValue
        do {
            root = try reader.root(of: yaml)
        } catch {
            reader.errors.append(error)
            return nil
        }
        guard let mapping = reader.mapping(root, keys: configurationKeys) else { return nil }

        var filter: (pattern: TopicPattern, location: FileLocation)?
        reader.attempt { () throws(ConfigurationError) in
            let value = try mapping.required("filter", fix: "add filter: \"sensors/{device}/env\"")
            filter = (try value.topicFilter(), value.location)
        }
        var topic: (name: String, location: FileLocation)?
        reader.attempt { () throws(ConfigurationError) in
            let value = try mapping.required("topic", fix: "add topic: telemetry")
            topic = (try value.topicName(), value.location)
        }
        var formatName = "json"
        reader.read(mapping["format"], into: &formatName) { value throws(ConfigurationError) in
            try value.choice(among: ["json", "raw"])
        }
        let format = PayloadFormat(mapping, formatName: formatName, reader: &reader)
        let deviceID = readDeviceID(mapping, filter: filter?.pattern, format: format, reader: &reader)
        var timestamp: TimestampField?
        if let value = mapping["timestamp"], !value.isNull,
            let timestampMapping = reader.mapping(value, keys: ["field", "unit"])
        {
            timestamp = TimestampField(timestampMapping, format: format, reader: &reader)
            if formatName == "raw" {
                reader.errors.append(
                    value.keyLocation.error(
                        .conflict, "timestamp needs format: json; a raw payload has no fields",
                        fix: "remove timestamp (arrival time is used), or set format: json"))
            }
        }
        guard let filter, let topic, let deviceID else { return nil }
        let name = ((reader.file as NSString).lastPathComponent as NSString).deletingPathExtension
        let profile = DeviceProfile(
            name: name, filter: filter.pattern, deviceID: deviceID, topic: topic.name, format: format,
            timestamp: timestamp, sourceFile: reader.file)
        return DeviceProfileDocument(profile: profile, filterLocation: filter.location, topicLocation: topic.location)
    }

    /// Reads `device_id`: `{ from: topic, wildcard: <name> }` naming a `{name}` of the filter, or
    /// `{ from: payload, field: <name> }` with a JSON format. Absent, it is the filter's one
    /// named wildcard, if it has exactly one.
    private static func readDeviceID(
        _ mapping: YAMLMapping, filter: TopicPattern?, format: PayloadFormat, reader: inout ConfigurationReader
    ) -> DeviceIDSource? {
        let fix = "add device_id: { from: topic, wildcard: <name> } or device_id: { from: payload, field: <name> }"
        guard let value = mapping["device_id"] else {
            guard let filter else { return nil }
            if filter.wildcardNames.count == 1 { return .topicWildcard(filter.wildcardNames[0]) }
            reader.errors.append(
                FileLocation(file: reader.file).error(
                    .missingValue,
                    "device_id is required when the filter does not have exactly one named wildcard; '\(filter)' has \(filter.wildcardNames.count)",
                    fix: fix))
            return nil
        }
        guard let idMapping = reader.mapping(value, keys: ["from", "wildcard", "field"]) else { return nil }
        return reader.attempt { () throws(ConfigurationError) -> DeviceIDSource in
            let from = try idMapping.required("from", fix: fix)
            let source = try from.choice(among: ["topic", "payload"])
            let (nameKey, otherKey) = source == "topic" ? ("wildcard", "field") : ("field", "wildcard")
            if let other = idMapping[otherKey] {
                throw other.keyLocation.error(
                    .conflict, "device_id.\(otherKey) does not go with from: \(source)",
                    fix: "use \(nameKey) with from: \(source)")
            }
            let nameValue = try idMapping.required(nameKey, fix: fix)
            let name = try nameValue.string(expected: "a \(nameKey) name")
            if source == "payload" {
                guard case .json(let schema) = format else {
                    throw from.error(
                        .conflict, expected: "from: topic with format: raw, as a raw payload has no fields",
                        fix: "use { from: topic, wildcard: <name> }, or set format: json")
                }
                if let rule = schema.fields.first(where: { $0.name == name }),
                    ![.string, .integer, .any].contains(rule.type)
                {
                    throw nameValue.location.error(
                        .conflict,
                        "device_id.field: expected a field of type string or integer, found schema type \(rule.type) for '\(name)'",
                        fix: "use a string or integer field as the device id")
                }
                return .payloadField(name)
            }
            if let filter, !filter.wildcardNames.contains(name) {
                throw nameValue.error(
                    .invalidValue, expected: "a named wildcard of the filter '\(filter)'",
                    fix: filter.wildcardNames.isEmpty
                        ? "name the device level in the filter, e.g. sensors/{\(name)}/env"
                        : "use \(YAMLValue.alternatives(filter.wildcardNames)), or rename the level in the filter")
            }
            return .topicWildcard(name)
        }
    }
}
