import SluiceJSON
import SluiceConfiguration

/// Decides, per MQTT message, which device profile it belongs to and whether it may become a
/// record: the per-message hot path of ingest.
///
/// **Matching.** A message belongs to the profiles whose filter matches its topic (MQTT
/// semantics: `+` and `{name}` match one level, empty included; a
/// trailing `#` matches the parent level too; wildcards in the first level never match topics
/// starting with `$`). When several match, the most specific wins: the one with more literal
/// levels; on a tie, the one without `#`; on a tie, the one listed first. So for topic
/// `plant/a/temp`, `plant/a/temp` beats `plant/+/temp` beats `plant/a/#` beats `plant/#`.
///
/// **Checks, in order** (the first failure is the reason):
/// 1. `oversize`: the payload is larger than `maxPayloadBytes` (its bytes are not read);
/// 2. `unknown_topic`: no filter matches;
/// 3. `empty_payload` (for raw profiles too: an empty MQTT message clears a retained one);
/// 4. format: raw `too_short`/`too_long`; JSON `invalid_utf8`, `malformed_json`,
///    `not_an_object`, then each schema field in order `missing_field`/`wrong_type`;
/// 5. `bad_device_id` (a missing device-id field is `missing_field`);
/// 6. `bad_timestamp` (a missing timestamp field is `missing_field`, unless the schema lists
///    it as optional: then the arrival time is used).
///
/// A device id is 1–128 bytes of UTF-8 with no `/`, no C0 or C1 control character and no DEL;
/// from a payload, escapes are decoded first, and an integer field's digits are the id.
/// Timestamps must fall in 2000-01-01T00:00:00Z..<2100-01-01T00:00:00Z.
///
/// On the accept path `evaluate` allocates nothing but the device-id `String` (and not even that
/// for ids of up to 15 bytes, which Swift stores inline).
///
/// Profiles are assumed validated by the configuration loader; a profile whose device id cannot
/// be found (`{device}` not in its filter, or a payload field of a raw payload) rejects every
/// message with `bad_device_id` and a detail naming the mistake, rather than crash.
///
/// Thread-safety: an immutable value; `evaluate` may run on any number of threads at once.
public struct ProfileMatcher: Sendable {
    /// The profiles, in the order given; `IngestDecision` indexes refer to this array.
    public let profiles: [DeviceProfile]
    /// Payloads larger than this are rejected as `oversize` before anything else.
    public let maxPayloadBytes: Int
    /// The profiles, most specific first.
    let candidates: [CompiledProfile]
    private let filters: [String]

    /// Prepares matching for `profiles`.
    /// - Parameters:
    ///   - profiles: The device profiles, in configuration order (the last tie-breaker).
    ///   - maxPayloadBytes: The largest payload accepted.
    public init(profiles: [DeviceProfile], maxPayloadBytes: Int) {
        self.profiles = profiles
        self.maxPayloadBytes = maxPayloadBytes
        let compiled = profiles.enumerated().map { CompiledProfile($0.element, index: $0.offset) }
        candidates = compiled.sorted { $0.isMoreSpecific(than: $1) }

        // One subscription per distinct filter, dropping any that another covers: overlapping
        // subscriptions make the broker deliver a message once per match.
        var kept: [(filter: String, compiled: CompiledTopicFilter)] = []
        for profile in compiled where !profile.filter.levels.isEmpty {
            let text = profiles[profile.index].filter.subscriptionFilter
            if kept.contains(where: { $0.filter == text || $0.compiled.covers(profile.filter) }) { continue }
            kept.removeAll { profile.filter.covers($0.compiled) }
            kept.append((text, profile.filter))
        }
        filters = kept.map(\.filter)
    }

    /// The MQTT filters to subscribe to: each profile's filter (named wildcards as `+`), without
    /// duplicates and without filters that another one covers (`a/+/b` goes if `a/#` is there),
    /// in profile order.
    public var subscriptionFilters: [String] { filters }

    /// Decides what to do with one message.
    /// - Parameters:
    ///   - topic: The MQTT topic the message was published to.
    ///   - payload: The message's bytes.
    ///   - arrivalMillis: When it arrived, in milliseconds since the Unix epoch; the record's
    ///     timestamp unless the profile names a timestamp field.
    /// - Returns: Accept with the profile, device id and timestamp, or reject with a reason.
    public func evaluate(topic: String, payload: UnsafeRawBufferPointer, arrivalMillis: Int64) -> IngestDecision {
        var topic = topic
        return topic.withUTF8 { evaluate(topic: UnsafeRawBufferPointer($0), payload: payload, arrivalMillis: arrivalMillis) }
    }

    /// Decides what to do with one message whose topic is given as bytes (as libmosquitto hands
    /// it over), which saves making a `String` of it.
    /// - Parameters:
    ///   - topic: The MQTT topic's UTF-8 bytes, without a terminating NUL.
    ///   - payload: The message's bytes.
    ///   - arrivalMillis: When it arrived, in milliseconds since the Unix epoch.
    /// - Returns: Accept with the profile, device id and timestamp, or reject with a reason.
    public func evaluate(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, arrivalMillis: Int64) -> IngestDecision {
        var matched: CompiledProfile?
        var deviceRange = 0..<0
        for candidate in candidates {
            if let range = candidate.filter.match(topic) {
                matched = candidate
                deviceRange = range
                break
            }
        }
        if payload.count > maxPayloadBytes {
            return .reject(
                reason: .oversize, detail: "payload of \(payload.count) bytes exceeds the limit of \(maxPayloadBytes)",
                profileIndex: matched?.index)
        }
        guard let profile = matched else {
            return .reject(reason: .unknownTopic, detail: "no device profile matches the topic", profileIndex: nil)
        }
        guard !payload.isEmpty else {
            return .reject(reason: .emptyPayload, detail: "payload is empty", profileIndex: profile.index)
        }
        switch profile.format {
        case .raw(let minBytes, let maxBytes):
            return evaluateRaw(profile, minBytes: minBytes, maxBytes: maxBytes, topic: topic, deviceRange: deviceRange,
                payload: payload, arrivalMillis: arrivalMillis)
        case .json(let scanner, let rules):
            return withUnsafeTemporaryAllocation(of: JSONField?.self, capacity: scanner.keys.count) { fields in
                evaluateJSON(profile, scanner: scanner, rules: rules, fields: fields, topic: topic, deviceRange: deviceRange,
                    payload: payload, arrivalMillis: arrivalMillis)
            }
        }
    }
}
