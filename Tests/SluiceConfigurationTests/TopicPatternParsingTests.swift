import Testing

@testable import SluiceConfiguration

@Suite("Topic filters with named wildcards")
struct TopicPatternParsingTests {
    @Test("a named wildcard is a '+' that remembers its level under a name")
    func namedWildcard() throws {
        let pattern = try TopicPattern(parsing: "sensors/{device}/env")
        #expect(pattern.levels == [.literal("sensors"), .named("device"), .literal("env")])
        #expect(pattern.subscriptionFilter == "sensors/+/env")
        #expect(pattern.wildcardNames == ["device"])
        #expect(pattern.description == "sensors/{device}/env")
    }

    @Test(
        "MQTT's own filters parse as MQTT reads them, empty levels included",
        arguments: [
            "#", "+", "a/+/#", "/a", "a//b", "a/", "$SYS/broker/#", "{site}/{device}/#", "+/+", "_private/{_x1}",
        ])
    func validFilters(text: String) throws {
        let pattern = try TopicPattern(parsing: text)
        #expect(pattern.description == text)
    }

    @Test("empty levels are literal empty levels")
    func emptyLevels() throws {
        #expect(try TopicPattern(parsing: "/a").levels == [.literal(""), .literal("a")])
        #expect(try TopicPattern(parsing: "a//#").levels == [.literal("a"), .literal(""), .multiWildcard])
    }

    @Test(
        "invalid filters are refused, saying which level is wrong",
        arguments: [
            ("a/#/b", "topic filter 'a/#/b' has '#' at level 2, but '#' may only be the last level"),
            ("a#", "topic filter 'a#' has 'a#' at level 1; '+' and '#' must fill a whole level"),
            ("a/b+", "topic filter 'a/b+' has 'b+' at level 2; '+' and '#' must fill a whole level"),
            ("+#", "topic filter '+#' has '+#' at level 1; '+' and '#' must fill a whole level"),
            (
                "a/{1device}",
                "topic filter 'a/{1device}' has '{1device}' at level 2; a wildcard name must be an identifier"
            ),
            ("a/{}", "topic filter 'a/{}' has '{}' at level 2; a wildcard name must be an identifier"),
            (
                "a/{dev-ice}",
                "topic filter 'a/{dev-ice}' has '{dev-ice}' at level 2; a wildcard name must be an identifier"
            ),
            ("{id}/x/{id}", "topic filter '{id}/x/{id}' names 'id' twice"),
            ("x{id}/y", "topic filter 'x{id}/y' has 'x{id}' at level 1; a named wildcard must fill a whole level"),
            ("a/{b", "topic filter 'a/{b' has '{b' at level 2; a named wildcard must fill a whole level"),
            ("a\u{0}b", "topic filter 'a\u{0}b' contains a NUL character"),
            ("", "expected an MQTT topic filter, found an empty string"),
        ])
    func invalidFilters(text: String, message: String) {
        let error = #expect(throws: ConfigurationError.self) { try TopicPattern(parsing: text) }
        #expect(error?.code == .invalidValue)
        #expect(error?.message == message)
        #expect(error?.fix != nil)
    }

    @Test("a filter longer than MQTT's 65535 bytes is refused")
    func tooLong() {
        let error = #expect(throws: ConfigurationError.self) {
            try TopicPattern(parsing: String(repeating: "a", count: 65_536))
        }
        #expect(error?.message.hasSuffix("is longer than 65535 bytes") == true)
    }
}
