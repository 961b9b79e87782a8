import SluiceConfiguration
import Testing

@testable import SluiceMQTT

/// A JSON profile with no schema whose device id is the filter's `{device}` level, if any.
private func profile(_ filter: String) -> DeviceProfile {
    DeviceProfile(
        name: filter, filter: pattern(filter), deviceID: filter.contains("{device}") ? .topicWildcard("device") : .payloadField("id"),
        topic: "t", format: .raw(minBytes: 0, maxBytes: nil))
}

/// The index of the profile that `topic` goes to, or `nil` for `unknown_topic`.
private func winner(_ topic: String, _ matcher: ProfileMatcher) -> Int? {
    let decision = Array("x".utf8).withUnsafeBytes { matcher.evaluate(topic: topic, payload: $0, arrivalMillis: 0) }
    switch decision {
    case .accept(let index, _, _): return index
    case .reject(let reason, _, let index): return reason == .unknownTopic ? nil : index
    }
}

@Suite("ProfileMatcher topics")
struct ProfileMatcherTopicTests {
    @Test("the most specific filter wins: more literal levels, then no '#', then profile order")
    func specificity() {
        let filters = ["plant/#", "plant/a/#", "plant/+/temp", "plant/a/temp", "x/+/c", "x/b/+", "y/b/#", "y/+/c"]
        let matcher = ProfileMatcher(profiles: filters.map(profile), maxPayloadBytes: 100)
        #expect(winner("plant/a/temp", matcher) == 3)
        #expect(winner("plant/b/temp", matcher) == 2)
        #expect(winner("plant/a/humidity", matcher) == 1)
        #expect(winner("plant/b/humidity", matcher) == 0)
        #expect(winner("plant", matcher) == 0)  // '#' matches the parent level
        #expect(winner("x/b/c", matcher) == 4)  // a tie: the earlier profile
        #expect(winner("y/b/c", matcher) == 7)  // same literals: the one without '#'
        let reversed = ProfileMatcher(profiles: filters.reversed().map(profile), maxPayloadBytes: 100)
        #expect(winner("plant/a/temp", reversed) == 4)
        #expect(winner("x/b/c", reversed) == 2)
    }

    @Test("MQTT level semantics: '+' matches one level, empty included; '#' any number, none included")
    func levels() {
        let filters = ["a/+", "+/+", "b/#", "c/+/d", "e"]
        let matcher = ProfileMatcher(profiles: filters.map(profile), maxPayloadBytes: 100)
        #expect(winner("a/x", matcher) == 0)
        #expect(winner("a/", matcher) == 0)
        #expect(winner("a", matcher) == nil)
        #expect(winner("a/x/y", matcher) == nil)
        #expect(winner("/finance", matcher) == 1)
        #expect(winner("b", matcher) == 2)
        #expect(winner("b/", matcher) == 2)
        #expect(winner("b/x/y/z", matcher) == 2)
        #expect(winner("c//d", matcher) == 3)
        #expect(winner("c/x/d/", matcher) == nil)
        #expect(winner("e", matcher) == 4)
        #expect(winner("e/", matcher) == 1)
        #expect(winner("E", matcher) == nil)
        #expect(winner("", matcher) == nil)
    }

    @Test("topics starting with '$' match no wildcard in the first level, only literal filters")
    func systemTopics() {
        let filters = ["#", "+/broker/uptime", "+/#", "$SYS/broker/#", "$SYS/+/clients"]
        let matcher = ProfileMatcher(profiles: filters.map(profile), maxPayloadBytes: 100)
        #expect(winner("$SYS/broker/uptime", matcher) == 3)
        #expect(winner("$SYS/broker/clients", matcher) == 4)  // two literals each: the one without '#'
        #expect(winner("$SYS/other/clients", matcher) == 4)
        #expect(winner("$SYS/other/load", matcher) == nil)
        #expect(winner("$share/x", matcher) == nil)
        #expect(winner("home/broker/uptime", matcher) == 1)
        #expect(winner("a$/x", matcher) == 0)  // '#' and '+/#' tie: the earlier profile
    }

    @Test("the device id comes from the named level, wherever it is")
    func namedLevel() {
        let matcher = ProfileMatcher(profiles: [profile("site/+/{device}/#")], maxPayloadBytes: 100)
        let decision = Array("x".utf8).withUnsafeBytes { matcher.evaluate(topic: "site/7/pump-3/a/b", payload: $0, arrivalMillis: 5) }
        #expect(decision == .accept(profileIndex: 0, deviceID: "pump-3", timestampMillis: 5))
    }

    @Test("a profile whose device id cannot be found rejects with the configuration mistake")
    func misconfigured() {
        let profiles = [
            DeviceProfile(
                name: "a", filter: pattern("a/+"), deviceID: .topicWildcard("device"), topic: "t", format: .raw(minBytes: 0, maxBytes: nil)),
            DeviceProfile(
                name: "b", filter: pattern("b/+"), deviceID: .payloadField("id"), topic: "t", format: .raw(minBytes: 0, maxBytes: nil)),
        ]
        let matcher = ProfileMatcher(profiles: profiles, maxPayloadBytes: 100)
        let decisions = ["a/x", "b/x"].map { topic in
            Array("x".utf8).withUnsafeBytes { matcher.evaluate(topic: topic, payload: $0, arrivalMillis: 0) }
        }
        #expect(decisions == [
            .reject(reason: .badDeviceID, detail: "filter has no wildcard {device}", profileIndex: 0),
            .reject(reason: .badDeviceID, detail: "profile reads device id field 'id' from a raw payload", profileIndex: 1),
        ])
    }

    @Test("subscription filters: named wildcards as '+', no duplicates, none covered by another")
    func subscriptionFilters() {
        let filters = [
            "sensors/{device}/env", "sensors/+/env", "meters/+/reading", "fleet/{device}/gps", "fleet/#", "$SYS/broker/{device}",
            "#", "plant/a", "plant/+", "plant",
        ]
        let matcher = ProfileMatcher(profiles: filters.map(profile), maxPayloadBytes: 100)
        #expect(matcher.subscriptionFilters == ["$SYS/broker/+", "#"])
        let without = ProfileMatcher(profiles: filters.filter { $0 != "#" }.map(profile), maxPayloadBytes: 100)
        #expect(without.subscriptionFilters == ["sensors/+/env", "meters/+/reading", "fleet/#", "$SYS/broker/+", "plant/+", "plant"])
    }
}
