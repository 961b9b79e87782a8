import SluiceConfiguration

/// A `TopicPattern` prepared for matching MQTT topics as bytes, with MQTT semantics:
///
/// - a literal level matches exactly that text; `+` and `{name}` match any one level, the empty
///   level included (`a/+` matches `a/` but not `a`);
/// - a trailing `#` matches any number of further levels, none included (`a/#` matches `a`);
/// - a topic starting with `$` (e.g. `$SYS/…`) is not matched by a wildcard in the first level.
///
/// A `#` that is not last is treated as last (the levels after it are ignored); the
/// configuration loader is expected to reject such filters.
struct CompiledTopicFilter: Sendable {
    /// One level of the filter.
    enum Level: Sendable {
        /// Must equal `literals[range]`.
        case literal(Range<Int>)
        /// `+` or `{name}`.
        case single
        /// `#`.
        case multi
    }

    /// The levels up to and including the first `#`.
    let levels: [Level]
    /// The literal levels' UTF-8, one after the other.
    let literals: [UInt8]
    /// The index in `levels` of the named wildcard that gives the device id, if any.
    let deviceLevel: Int?
    /// How many levels are literals (more is more specific).
    let literalCount: Int
    /// How many levels are `#` (0 or 1; fewer is more specific).
    let multiCount: Int

    /// Prepares `pattern`, remembering where the named wildcard `deviceWildcard` is.
    init(_ pattern: TopicPattern, deviceWildcard: String?) {
        var levels: [Level] = []
        var literals: [UInt8] = []
        var deviceLevel: Int?
        for level in pattern.levels {
            switch level {
            case .literal(let text):
                let start = literals.count
                literals.append(contentsOf: text.utf8)
                levels.append(.literal(start..<literals.count))
            case .named(let name):
                if name == deviceWildcard, deviceLevel == nil { deviceLevel = levels.count }
                levels.append(.single)
            case .singleWildcard:
                levels.append(.single)
            case .multiWildcard:
                levels.append(.multi)
            }
            if case .multi = levels.last { break }
        }
        self.levels = levels
        self.literals = literals
        self.deviceLevel = deviceLevel
        self.literalCount = levels.count(where: { if case .literal = $0 { true } else { false } })
        self.multiCount = levels.count(where: { if case .multi = $0 { true } else { false } })
    }

    /// Whether `topic` matches; if so, the byte range of the device-id level (or an empty range
    /// when the filter has none).
    func match(_ topic: UnsafeRawBufferPointer) -> Range<Int>? {
        guard !levels.isEmpty, !topic.isEmpty else { return nil }
        let isSystemTopic = topic[0] == UInt8(ascii: "$")
        var start = 0  // of the current topic level; topic.count + 1 once all levels are used
        var device = 0..<0
        for (index, level) in levels.enumerated() {
            if case .multi = level { return index == 0 && isSystemTopic ? nil : device }
            guard start <= topic.count else { return nil }  // the topic has fewer levels
            var end = start
            while end < topic.count, topic[end] != UInt8(ascii: "/") { end += 1 }
            switch level {
            case .literal(let range):
                guard end - start == range.count else { return nil }
                for offset in 0..<range.count where literals[range.lowerBound + offset] != topic[start + offset] {
                    return nil
                }
            case .single:
                if index == 0, isSystemTopic { return nil }
                if index == deviceLevel { device = start..<end }
            case .multi:
                break
            }
            start = end + 1
        }
        return start == topic.count + 1 ? device : nil
    }

    /// Whether every topic that `other` matches is also matched by `self` (so subscribing to
    /// both would deliver such messages twice).
    func covers(_ other: CompiledTopicFilter) -> Bool {
        for (index, level) in levels.enumerated() {
            switch level {
            case .multi:
                // `a/#` covers `a/…` and `a` itself, but `#` does not cover `$SYS/…`.
                if index == 0, other.startsWithSystemLiteral { return false }
                if index < other.levels.count, case .multi = other.levels[index] { return true }
                return other.levels.count >= index
            case .single:
                guard index < other.levels.count else { return false }
                if case .multi = other.levels[index] { return false }
                if index == 0, other.startsWithSystemLiteral { return false }
            case .literal(let range):
                guard index < other.levels.count, case .literal(let otherRange) = other.levels[index],
                    literals[range] == other.literals[otherRange]
                else { return false }
            }
        }
        return levels.count == other.levels.count
    }

    /// Whether the first level is a literal starting with `$`.
    private var startsWithSystemLiteral: Bool {
        guard case .literal(let range) = levels.first, !range.isEmpty else { return false }
        return literals[range.lowerBound] == UInt8(ascii: "$")
    }
}
