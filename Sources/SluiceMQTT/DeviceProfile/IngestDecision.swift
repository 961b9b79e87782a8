/// What ingest does with one MQTT message: append it as a record, or dead-letter it.
public enum IngestDecision: Sendable, Equatable {
    /// Append the message to the profile's topic.
    /// - profileIndex: The matched profile's index in `ProfileMatcher.profiles`.
    /// - deviceID: The record key.
    /// - timestampMillis: The device's time, or the arrival time if the profile names no
    ///   timestamp field (or names an optional one the payload lacks).
    case accept(profileIndex: Int, deviceID: String, timestampMillis: Int64)
    /// Send the message to the dead-letter topic.
    /// - reason: Why, as a stable label.
    /// - detail: A short explanation for a header, e.g. `field 'temp': expected number, found string`.
    /// - profileIndex: The matched profile, if the topic matched one.
    case reject(reason: DeadLetterReason, detail: String, profileIndex: Int?)
}
