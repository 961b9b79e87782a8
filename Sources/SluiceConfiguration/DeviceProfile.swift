/// A device class, read from `devices/<class>.yaml`: which MQTT messages it covers, how to read
/// them, and which topic their records go to.
public struct DeviceProfile: Sendable, Hashable {
    /// The class name (the file name without `.yaml`).
    public var name: String
    /// The MQTT topic filter, with a named wildcard for the device id, e.g. `sensors/{device}/env`.
    public var filter: TopicPattern
    /// Where the device id (the record key) comes from.
    public var deviceID: DeviceIDSource
    /// The log topic the records go to.
    public var topic: String
    /// How the payload is read and checked.
    public var format: PayloadFormat
    /// The payload field holding the device's own time, if any; else arrival time is used.
    public var timestamp: TimestampField?
    /// The file the profile came from, for messages.
    public var sourceFile: String

    /// Creates a profile.
    public init(
        name: String, filter: TopicPattern, deviceID: DeviceIDSource, topic: String, format: PayloadFormat,
        timestamp: TimestampField? = nil, sourceFile: String = ""
    ) {
        self.name = name
        self.filter = filter
        self.deviceID = deviceID
        self.topic = topic
        self.format = format
        self.timestamp = timestamp
        self.sourceFile = sourceFile
    }
}

/// Where a message's device id comes from.
public enum DeviceIDSource: Sendable, Hashable {
    /// The MQTT topic level matched by the named wildcard `{name}` of the filter.
    case topicWildcard(String)
    /// A top-level string (or integer) field of a JSON payload.
    case payloadField(String)
}

/// How a payload is read.
public enum PayloadFormat: Sendable, Hashable {
    /// A JSON object checked against a light schema.
    case json(JSONSchema)
    /// Opaque bytes (a binary frame), checked only for size.
    case raw(minBytes: Int, maxBytes: Int?)
}

/// A light schema for JSON payloads: named top-level fields, their types, whether required.
public struct JSONSchema: Sendable, Hashable {
    /// The fields the schema knows; fields not listed are allowed and not checked.
    public var fields: [JSONFieldRule]

    /// Creates a schema.
    public init(fields: [JSONFieldRule]) { self.fields = fields }
}

/// One field of a `JSONSchema`.
public struct JSONFieldRule: Sendable, Hashable {
    /// The top-level field name.
    public var name: String
    /// Its expected JSON type.
    public var type: JSONFieldType
    /// Whether a payload without it is rejected.
    public var isRequired: Bool

    /// Creates a rule.
    public init(name: String, type: JSONFieldType, isRequired: Bool = true) {
        self.name = name
        self.type = type
        self.isRequired = isRequired
    }
}

/// JSON value types a schema can ask for.
public enum JSONFieldType: String, Sendable, Hashable, CaseIterable {
    /// Any JSON number.
    case number
    /// A number without fraction or exponent.
    case integer
    /// A JSON string.
    case string
    /// true or false.
    case boolean
    /// A JSON object.
    case object
    /// A JSON array.
    case array
    /// Any value, null included.
    case any
}

/// The payload field that carries the device's timestamp, and its unit.
public struct TimestampField: Sendable, Hashable {
    /// The top-level field name.
    public var name: String
    /// How the field encodes time.
    public var unit: TimestampUnit

    /// Creates a timestamp field.
    public init(name: String, unit: TimestampUnit) {
        self.name = name
        self.unit = unit
    }
}

/// How a payload encodes a timestamp.
public enum TimestampUnit: String, Sendable, Hashable, CaseIterable {
    /// Integer milliseconds since the Unix epoch.
    case milliseconds
    /// Seconds since the Unix epoch (fractions allowed).
    case seconds
    /// An RFC 3339 string, e.g. `2026-11-25T09:30:00.250Z`.
    case rfc3339
}
