import Foundation
import SluiceLog
import Yams

/// One value of a YAML document, with the key path that leads to it (`mqtt.port`) and its place in
/// the file. Its typed reads throw errors that name that path and place, saying what was expected
/// and what was found.
struct YAMLValue {
    /// The composed node.
    let node: Node
    /// The dotted key path, e.g. `topics.telemetry.retention`; empty for the document itself.
    let path: String
    /// Where the value starts.
    let location: FileLocation
    /// Where the key naming this value is (its own place for the document and list items):
    /// problems with the value as a whole, such as a missing child key, are reported there.
    let keyLocation: FileLocation

    /// Whether the value is YAML null: `~`, `null`, or nothing after the colon.
    var isNull: Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any {
            return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        }
        return false
    }

    /// Whether the value is a mapping (as opposed to a scalar or a list).
    var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }

    /// The value as messages quote it: `70000`, `'abc'`, `a mapping`, `a list`, `nothing`.
    var found: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            if isNull { return "nothing" }
            return Int(scalar.string) != nil && scalar.style != .singleQuoted && scalar.style != .doubleQuoted
                ? scalar.string : "'\(scalar.string)'"
        case .alias: return "an alias"
        }
    }

    /// An error at this value: `path: expected …, found …`.
    func error(_ code: ConfigurationError.Code, expected: String, fix: String? = nil) -> ConfigurationError {
        location.error(code, "\(prefix)expected \(expected), found \(found)", fix: fix)
    }

    /// Throws `error(code, expected:, fix:)` unless `condition` holds.
    func require(
        _ condition: Bool, _ code: ConfigurationError.Code = .outOfRange, expected: String, fix: String? = nil
    ) throws(ConfigurationError) {
        if !condition { throw error(code, expected: expected, fix: fix) }
    }

    /// The text of a scalar value.
    /// - Throws: `.wrongType` for a mapping, a list or null.
    func text(expected: String = "a text value") throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node, !isNull else {
            throw error(isNull ? .missingValue : .wrongType, expected: expected)
        }
        return scalar.string
    }

    /// A non-empty string (numbers and other plain scalars are read as their text).
    func string(expected: String = "a non-empty text value", fix: String? = nil) throws(ConfigurationError) -> String {
        let text = try text(expected: expected)
        try require(!text.isEmpty, .invalidValue, expected: expected, fix: fix)
        return text
    }

    /// A whole number in `range`.
    /// - Parameters:
    ///   - range: the values allowed.
    ///   - expected: what the setting wants, e.g. `a port 1…65535`; by default the range.
    ///   - fix: the hint when the number is out of range.
    func integer(
        in range: ClosedRange<Int>, expected: String? = nil, fix: String? = nil
    ) throws(ConfigurationError) -> Int {
        let expected = expected ?? "a whole number \(range.lowerBound)…\(range.upperBound)"
        let text = try text(expected: expected)
        guard let number = Int(text.filter { $0 != "_" }) else { throw error(.wrongType, expected: expected) }
        try require(range.contains(number), expected: expected, fix: fix)
        return number
    }

    /// A duration with a unit, as `ConfigurationValue.duration(_:)` reads it.
    func duration() throws(ConfigurationError) -> Duration {
        do {
            return try ConfigurationValue.duration(text(expected: "a duration such as 250ms, 30s, 5m, 1h or 7d"))
        } catch {
            throw error.file == nil ? error.located(at: location, key: path) : error
        }
    }

    /// A size in bytes, as `ConfigurationValue.byteCount(_:)` reads it.
    func byteCount() throws(ConfigurationError) -> Int {
        do {
            return try ConfigurationValue.byteCount(text(expected: "a size such as 4096, 512KiB, 16MiB or 1GiB"))
        } catch {
            throw error.file == nil ? error.located(at: location, key: path) : error
        }
    }

    /// `true` or `false`, as `ConfigurationValue.boolean(_:)` reads it.
    func boolean() throws(ConfigurationError) -> Bool {
        do {
            return try ConfigurationValue.boolean(text(expected: "true or false"))
        } catch {
            throw error.file == nil ? error.located(at: location, key: path) : error
        }
    }

    /// One of `names`, suggesting the closest one when misspelt.
    func choice(among names: [String]) throws(ConfigurationError) -> String {
        let expected = Self.alternatives(names)
        let text = try text(expected: expected)
        guard names.contains(text) else {
            throw error(.invalidValue, expected: expected, fix: names.closest(to: text).map { "did you mean \($0)?" })
        }
        return text
    }

    /// One of the cases of `type`, by raw value, suggesting the closest one when misspelt.
    func choice<Choice: CaseIterable & RawRepresentable<String>>(
        _ type: Choice.Type
    ) throws(ConfigurationError) -> Choice {
        // `choice(among:)` accepted the text, so it is a raw value of one of the cases.
        try Choice(rawValue: choice(among: Choice.allCases.map(\.rawValue)))!
    }

    /// A file or folder path: absolute, or relative to the folder of the file this value is in.
    func path(expected: String = "a path") throws(ConfigurationError) -> String {
        let text = try string(expected: expected)
        if text.hasPrefix("/") { return text }
        let folder = (location.file as NSString).deletingLastPathComponent
        return folder.isEmpty ? text : (folder as NSString).appendingPathComponent(text)
    }

    /// An MQTT topic filter, with named wildcards allowed, as `TopicPattern(parsing:)` reads it.
    func topicFilter() throws(ConfigurationError) -> TopicPattern {
        do {
            return try TopicPattern(parsing: text(expected: "an MQTT topic filter such as sensors/{device}/env"))
        } catch {
            throw error.file == nil ? error.located(at: location, key: path) : error
        }
    }

    /// A log topic name, as `LogManager.isValidTopicName(_:)` allows.
    func topicName() throws(ConfigurationError) -> String {
        let expected = "a topic name of 1–249 letters, digits, '.', '_' or '-'"
        let name = try text(expected: expected)
        try require(LogManager.isValidTopicName(name), .invalidValue, expected: expected, fix: "e.g. telemetry")
        return name
    }

    /// The items of a list.
    func sequence(expected: String = "a list") throws(ConfigurationError) -> [YAMLValue] {
        guard case .sequence(let sequence) = node else { throw error(.wrongType, expected: expected) }
        return sequence.enumerated().map { index, item in
            let location = FileLocation(file: location.file, mark: item.mark)
            return YAMLValue(node: item, path: "\(path)[\(index)]", location: location, keyLocation: location)
        }
    }

    /// The entries of a mapping (null reads as an empty mapping, so `mqtt:` alone is allowed).
    /// - Parameters:
    ///   - keys: the keys allowed; others are reported into `errors` as unknown, with the closest
    ///     allowed key as the fix. Nil allows any key (for maps keyed by name, like `topics`).
    ///   - errors: where unknown and non-text keys are reported; the rest of the mapping is still read.
    /// - Throws: `.wrongType` when the value is not a mapping.
    func mapping(keys: [String]?, errors: inout [ConfigurationError]) throws(ConfigurationError) -> YAMLMapping {
        if isNull { return YAMLMapping(owner: self, entries: []) }
        guard case .mapping(let mapping) = node else {
            let expected =
                keys.map { "a mapping with keys " + Self.alternatives($0, conjunction: "and") } ?? "a mapping"
            throw error(.wrongType, expected: expected)
        }
        var entries: [(key: String, value: YAMLValue)] = []
        for (keyNode, valueNode) in mapping {
            let keyLocation = FileLocation(file: location.file, mark: keyNode.mark)
            guard case .scalar(let scalar) = keyNode else {
                errors.append(
                    keyLocation.error(.wrongType, "\(prefix)expected a text key, found a mapping or list as a key"))
                continue
            }
            let key = scalar.string
            if let keys, !keys.contains(key) {
                let place = path.isEmpty ? "" : " in \(path)"
                let fix =
                    keys.closest(to: key).map { "did you mean '\($0)'?" }
                    ?? "known keys\(place) are \(Self.alternatives(keys, conjunction: "and"))"
                errors.append(keyLocation.error(.unknownKey, "unknown key '\(key)'\(place)", fix: fix))
                continue
            }
            let value = YAMLValue(
                node: valueNode, path: path.isEmpty ? key : "\(path).\(key)",
                location: FileLocation(file: location.file, mark: valueNode.mark), keyLocation: keyLocation)
            entries.append((key, value))
        }
        return YAMLMapping(owner: self, entries: entries)
    }

    /// `path: `, or nothing for the document itself.
    private var prefix: String { path.isEmpty ? "" : "\(path): " }

    /// `a`, `a or b`, `a, b or c`.
    static func alternatives(_ names: [String], conjunction: String = "or") -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " \(conjunction) " + names[names.count - 1]
    }
}
