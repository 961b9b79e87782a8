/// An MQTT topic filter with optional named single-level wildcards: `sensors/{device}/env` matches
/// `sensors/abc/env` and names `abc` as `device`. Plain `+` and a final `#` work as in MQTT.
public struct TopicPattern: Sendable, Hashable, CustomStringConvertible {
    /// One level of the filter.
    public enum Level: Sendable, Hashable {
        /// Must equal this text.
        case literal(String)
        /// Any one level, remembered under this name.
        case named(String)
        /// `+`: any one level.
        case singleWildcard
        /// `#`: this and all remaining levels (last only).
        case multiWildcard
    }

    /// The levels, in order.
    public var levels: [Level]

    /// Creates a pattern from levels.
    public init(levels: [Level]) { self.levels = levels }

    /// The MQTT subscription filter (named wildcards become `+`).
    public var subscriptionFilter: String {
        levels.map { level in
            switch level {
            case .literal(let text): text
            case .named, .singleWildcard: "+"
            case .multiWildcard: "#"
            }
        }.joined(separator: "/")
    }

    /// The pattern as written (`{name}` kept).
    public var description: String {
        levels.map { level in
            switch level {
            case .literal(let text): text
            case .named(let name): "{\(name)}"
            case .singleWildcard: "+"
            case .multiWildcard: "#"
            }
        }.joined(separator: "/")
    }

    /// The names of the named wildcards.
    public var wildcardNames: [String] {
        levels.compactMap { if case .named(let name) = $0 { name } else { nil } }
    }
}
