extension TopicPattern {
    /// Parses an MQTT topic filter in which a level may be a named wildcard `{name}`.
    ///
    /// The rules are MQTT's (3.1.1 §4.7.1, 5.0 §4.7.1), plus the named wildcards:
    /// - levels are separated by `/`; empty levels are allowed (`a//b`, `/a`), as MQTT allows them;
    /// - `+` and `{name}` fill a whole level; `#` fills a whole level and is the last one;
    /// - a name is an identifier (letters, digits, `_`, not starting with a digit), used once;
    /// - the filter is 1…65535 bytes of UTF-8 without U+0000.
    /// - Parameter text: the filter, e.g. `sensors/{device}/env`.
    /// - Throws: `ConfigurationError` `.invalidValue`, saying which level is wrong and how to write it.
    public init(parsing text: String) throws(ConfigurationError) {
        func invalid(_ problem: String, fix: String) -> ConfigurationError {
            ConfigurationError(code: .invalidValue, message: "topic filter '\(text)' \(problem)", fix: fix)
        }
        guard !text.isEmpty else {
            throw ConfigurationError(
                code: .invalidValue, message: "expected an MQTT topic filter, found an empty string",
                fix: "write a filter such as sensors/{device}/env")
        }
        guard text.utf8.count <= 65_535 else {
            throw invalid("is longer than 65535 bytes", fix: "use a shorter filter")
        }
        guard !text.unicodeScalars.contains("\u{0}") else {
            throw invalid("contains a NUL character", fix: "remove it")
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var levels: [Level] = []
        var names: Set<String> = []
        for (index, part) in parts.enumerated() {
            let number = index + 1
            switch part {
            case "#":
                guard index == parts.count - 1 else {
                    throw invalid(
                        "has '#' at level \(number), but '#' may only be the last level",
                        fix: "move '#' to the end, or use '+' for one level")
                }
                levels.append(.multiWildcard)
            case "+":
                levels.append(.singleWildcard)
            case _ where part.hasPrefix("{") && part.hasSuffix("}") && part.count >= 2:
                let name = String(part.dropFirst().dropLast())
                guard Self.isIdentifier(name) else {
                    throw invalid(
                        "has '\(part)' at level \(number); a wildcard name must be an identifier",
                        fix: "use letters, digits and '_', not starting with a digit, e.g. {device}")
                }
                guard names.insert(name).inserted else {
                    throw invalid("names '\(name)' twice", fix: "give each named wildcard its own name")
                }
                levels.append(.named(name))
            default:
                if part.contains("+") || part.contains("#") {
                    throw invalid(
                        "has '\(part)' at level \(number); '+' and '#' must fill a whole level",
                        fix: "put the wildcard in a level of its own, e.g. a/+/b")
                }
                if part.contains("{") || part.contains("}") {
                    throw invalid(
                        "has '\(part)' at level \(number); a named wildcard must fill a whole level",
                        fix: "write the level as {name} alone, e.g. sensors/{device}/env")
                }
                levels.append(.literal(part))
            }
        }
        self.init(levels: levels)
    }

    /// Whether `name` is an ASCII identifier: a letter or `_`, then letters, digits or `_`.
    private static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }
}
