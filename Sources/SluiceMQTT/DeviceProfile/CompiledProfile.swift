import SluiceJSON
import SluiceConfiguration

/// A `DeviceProfile` prepared once for the per-message path: its filter as bytes, its JSON keys
/// resolved to scanner slots, its device-id and timestamp sources resolved.
///
/// A class so that picking a candidate per message copies one reference, not a dozen fields;
/// immutable (`let`s of `Sendable` values), hence `Sendable`.
final class CompiledProfile: Sendable {
    /// How the payload is checked.
    enum Format: Sendable {
        /// A JSON object: the scanner reports `JSONScanner.keys`; `rules` index into them.
        case json(JSONScanner, rules: [Rule])
        /// Opaque bytes within a size range.
        case raw(minBytes: Int, maxBytes: Int?)
    }

    /// A schema field: its scanner slot, name, type and whether it is required.
    struct Rule: Sendable {
        var key: Int
        var name: String
        var type: JSONFieldType
        var isRequired: Bool
    }

    /// Where the device id comes from.
    enum DeviceID: Sendable {
        /// The filter's named wildcard level (`CompiledTopicFilter.deviceLevel`).
        case topicLevel
        /// A payload field in scanner slot `key`.
        case field(key: Int, name: String)
        /// The profile cannot yield a device id; every message is rejected with this detail.
        case misconfigured(String)
    }

    /// The payload's timestamp field: its scanner slot, name, unit, and whether it must be there.
    struct Timestamp: Sendable {
        var key: Int
        var name: String
        var unit: TimestampUnit
        var isRequired: Bool
    }

    /// The profile's index in the list the matcher was built from.
    let index: Int
    let filter: CompiledTopicFilter
    let format: Format
    let deviceID: DeviceID
    /// `nil` when the arrival time is used.
    let timestamp: Timestamp?
    /// Set when a timestamp field is named but the payload is raw.
    let timestampProblem: String?

    init(_ profile: DeviceProfile, index: Int) {
        self.index = index
        var wildcard: String?
        if case .topicWildcard(let name) = profile.deviceID { wildcard = name }
        filter = CompiledTopicFilter(profile.filter, deviceWildcard: wildcard)

        switch profile.format {
        case .raw(let minBytes, let maxBytes):
            format = .raw(minBytes: minBytes, maxBytes: maxBytes)
            timestamp = nil
            timestampProblem = profile.timestamp.map { "profile reads timestamp field '\($0.name)' from a raw payload" }
            switch profile.deviceID {
            case .topicWildcard(let name):
                deviceID = filter.deviceLevel == nil ? .misconfigured("filter has no wildcard {\(name)}") : .topicLevel
            case .payloadField(let name):
                deviceID = .misconfigured("profile reads device id field '\(name)' from a raw payload")
            }

        case .json(let schema):
            var keys: [String] = []
            func slot(_ name: String) -> Int {
                if let index = keys.firstIndex(of: name) { return index }
                keys.append(name)
                return keys.count - 1
            }
            let rules = schema.fields.map { Rule(key: slot($0.name), name: $0.name, type: $0.type, isRequired: $0.isRequired) }
            switch profile.deviceID {
            case .topicWildcard(let name):
                deviceID = filter.deviceLevel == nil ? .misconfigured("filter has no wildcard {\(name)}") : .topicLevel
            case .payloadField(let name):
                deviceID = .field(key: slot(name), name: name)
            }
            timestamp = profile.timestamp.map { field in
                let isOptional = schema.fields.contains { $0.name == field.name && !$0.isRequired }
                return Timestamp(key: slot(field.name), name: field.name, unit: field.unit, isRequired: !isOptional)
            }
            timestampProblem = nil
            format = .json(JSONScanner(keys: keys), rules: rules)
        }
    }

    /// Whether `self` wins over `other` when both match: more literal levels, then fewer `#`,
    /// then the earlier profile.
    func isMoreSpecific(than other: CompiledProfile) -> Bool {
        if filter.literalCount != other.filter.literalCount { return filter.literalCount > other.filter.literalCount }
        if filter.multiCount != other.filter.multiCount { return filter.multiCount < other.filter.multiCount }
        return index < other.index
    }
}
