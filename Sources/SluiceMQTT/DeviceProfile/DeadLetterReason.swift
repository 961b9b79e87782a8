/// Why an MQTT message went to the dead-letter topic instead of its profile's topic.
///
/// The raw values are stable: they are written as the `sluice.reason` header of each dead letter
/// and used as a metric label, so renaming one breaks readers and dashboards.
public enum DeadLetterReason: String, Sendable, CaseIterable {
    /// No device profile's filter matches the MQTT topic.
    case unknownTopic = "unknown_topic"
    /// The payload is larger than the daemon's `maxPayloadBytes` (checked before anything else).
    case oversize = "oversize"
    /// The payload has no bytes.
    case emptyPayload = "empty_payload"
    /// A JSON payload is not valid UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// A JSON payload breaks the JSON grammar (or nests too deep, or repeats a schema key).
    case malformedJSON = "malformed_json"
    /// A JSON payload is valid JSON but not an object.
    case notAnObject = "not_an_object"
    /// A field the schema requires (or the device id field) is absent.
    case missingField = "missing_field"
    /// A field has another JSON type than the schema says.
    case wrongType = "wrong_type"
    /// The device id is empty, longer than 128 bytes, or contains `/` or a control character.
    case badDeviceID = "bad_device_id"
    /// The timestamp field cannot be read in its unit or lies outside 2000-01-01..<2100-01-01.
    case badTimestamp = "bad_timestamp"
    /// A raw payload is shorter than the profile's `minBytes`.
    case tooShort = "too_short"
    /// A raw payload is longer than the profile's `maxBytes`.
    case tooLong = "too_long"
}
