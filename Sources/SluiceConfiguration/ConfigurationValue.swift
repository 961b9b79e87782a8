/// Parsers for the value syntaxes of the configuration files: durations with a unit (`250ms`, `7d`),
/// sizes (`4096`, `16MiB`, `1MB`) and booleans. They throw errors without a place; the YAML reader
/// adds the file, line and column.
public enum ConfigurationValue {
    /// Duration units and their length in milliseconds.
    private static let durationUnits: [String: Int64] = [
        "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000,
    ]

    /// Spellings people write for the duration units, so the fix can say which one was meant.
    private static let durationUnitSpellings: [String: String] = [
        "ms": "ms", "s": "s", "m": "m", "h": "h", "d": "d",
        "msec": "ms", "millis": "ms", "millisecond": "ms", "milliseconds": "ms",
        "sec": "s", "secs": "s", "second": "s", "seconds": "s",
        "min": "m", "mins": "m", "minute": "m", "minutes": "m",
        "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
        "day": "d", "days": "d",
    ]

    /// Size units: binary (IEC) and decimal (SI) multiples of a byte.
    private static let sizeUnits: [(suffix: String, bytes: Int)] = [
        ("B", 1), ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
    ]

    /// Parses a duration: a whole number and a unit, `ms`, `s`, `m`, `h` or `d` (`250ms`, `30s`,
    /// `5m`, `1h`, `7d`). A number without a unit is refused: `30` could mean seconds or milliseconds.
    /// - Parameter text: the value as written.
    /// - Returns: the duration.
    /// - Throws: `ConfigurationError` `.invalidValue`, with a fix that shows the expected form.
    public static func duration(_ text: String) throws(ConfigurationError) -> Duration {
        let (digits, unit) = split(text)
        let expected = "expected a duration such as 250ms, 30s, 5m, 1h or 7d, found '\(text)'"
        guard !digits.isEmpty else {
            throw ConfigurationError(code: .invalidValue, message: expected, fix: "write a whole number and a unit")
        }
        guard let count = Int64(digits) else {
            throw ConfigurationError(
                code: .outOfRange, message: "duration '\(text)' is too long", fix: "use a shorter duration")
        }
        guard let milliseconds = durationUnits[unit] else {
            let fix: String
            if unit.isEmpty {
                fix = "add a unit: \(digits)s for seconds, \(digits)ms for milliseconds"
            } else if unit.hasPrefix(".") || unit.hasPrefix(",") {
                fix = "write a whole number of a smaller unit, e.g. 1500ms rather than 1.5s"
            } else if let meant = durationUnitSpellings[unit.lowercased()] {
                fix = "write \(digits)\(meant)"
            } else {
                fix = "units are ms, s, m, h and d"
            }
            throw ConfigurationError(code: .invalidValue, message: expected, fix: fix)
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: milliseconds)
        guard !overflow else {
            throw ConfigurationError(
                code: .outOfRange, message: "duration '\(text)' is too long", fix: "use a shorter duration")
        }
        return .milliseconds(total)
    }

    /// Parses a size in bytes: a plain whole number (`4096`), or a whole number and a unit,
    /// binary `KiB`, `MiB`, `GiB`, `TiB` (1024-based) or decimal `KB`, `MB`, `GB`, `TB` (1000-based).
    /// - Parameter text: the value as written.
    /// - Returns: the number of bytes.
    /// - Throws: `ConfigurationError` `.invalidValue` (with a suggestion for a misspelt unit, and
    ///   for `16M`, which could be either), or `.outOfRange` when it does not fit in 64 bits.
    public static func byteCount(_ text: String) throws(ConfigurationError) -> Int {
        let (digits, unit) = split(text)
        let expected = "expected a size such as 4096, 512KiB, 16MiB or 1GiB, found '\(text)'"
        guard !digits.isEmpty else {
            throw ConfigurationError(
                code: .invalidValue, message: expected, fix: "write a whole number of bytes, or one with a unit")
        }
        guard let count = Int(digits) else {
            throw ConfigurationError(
                code: .outOfRange, message: "size '\(text)' is too large", fix: "use a smaller size")
        }
        if unit.isEmpty { return count }
        guard let scale = sizeUnits.first(where: { $0.suffix == unit }) else {
            let fix: String
            if let prefix = unit.uppercased().first, "KMGT".contains(prefix), unit.count == 1 {
                fix = "write \(digits)\(prefix)iB (powers of 1024) or \(digits)\(prefix)B (powers of 1000)"
            } else if unit.hasPrefix(".") || unit.hasPrefix(",") {
                fix = "write a whole number of a smaller unit, e.g. 1536MiB rather than 1.5GiB"
            } else if let match = sizeUnits.map(\.suffix).first(where: { $0.lowercased() == unit.lowercased() }) {
                fix = "did you mean \(digits)\(match)? units are case-sensitive"
            } else {
                fix = "units are B, KiB, MiB, GiB, TiB (1024-based) and KB, MB, GB, TB (1000-based)"
            }
            throw ConfigurationError(code: .invalidValue, message: expected, fix: fix)
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: scale.bytes)
        guard !overflow else {
            throw ConfigurationError(
                code: .outOfRange, message: "size '\(text)' is too large", fix: "use a smaller size")
        }
        return bytes
    }

    /// Parses a boolean: `true` or `false` (any case). YAML 1.1's `yes`/`no`/`on`/`off` are refused,
    /// because the same words are ordinary strings elsewhere (the "Norway problem").
    /// - Parameter text: the value as written.
    /// - Returns: the boolean.
    /// - Throws: `ConfigurationError` `.invalidValue`.
    public static func boolean(_ text: String) throws(ConfigurationError) -> Bool {
        let fix: String
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        case "yes", "on", "y": fix = "write true"
        case "no", "off", "n": fix = "write false"
        default: fix = "write true or false"
        }
        throw ConfigurationError(code: .invalidValue, message: "expected true or false, found '\(text)'", fix: fix)
    }

    /// A duration as the configuration writes it, in the largest unit that divides it exactly:
    /// `250ms`, `30s`, `5m`, `1h`, `7d`.
    /// - Parameter duration: a duration in whole milliseconds (finer parts are dropped).
    public static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let (wholeMilliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return "\(seconds)s" }
        let milliseconds = wholeMilliseconds + attoseconds / 1_000_000_000_000_000
        guard milliseconds != 0 else { return "0s" }
        let unit = durationUnits.filter { milliseconds % $0.value == 0 }.max { $0.value < $1.value }!
        return "\(milliseconds / unit.value)\(unit.key)"
    }

    /// A size as the configuration writes it, in the largest binary unit that divides it exactly:
    /// `4096` below 1 KiB or when not a whole number of KiB, else `512KiB`, `16MiB`, `1GiB`.
    /// - Parameter byteCount: the number of bytes.
    public static func text(byteCount: Int) -> String {
        let units = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        guard byteCount != 0, let (suffix, bytes) = units.first(where: { byteCount % $0.1 == 0 }) else {
            return "\(byteCount)"
        }
        return "\(byteCount / bytes)\(suffix)"
    }

    /// Splits `"16 MiB"` into `("16", "MiB")`: the leading ASCII digits, then the rest without
    /// surrounding spaces. A sign or fraction stays in the unit part and so fails to parse.
    private static func split(_ text: String) -> (digits: String, unit: String) {
        let trimmed = trimmingSpaces(text)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        return (String(digits), trimmingSpaces(String(trimmed.dropFirst(digits.count))))
    }

    /// `text` without leading and trailing spaces and tabs.
    private static func trimmingSpaces(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
