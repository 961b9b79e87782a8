/// The one error type of the configuration module: one problem in a configuration or device-profile
/// file, where it is (file, line, column) and how to fix it.
///
/// `description` reads like a compiler diagnostic, so editors and terminals make it clickable:
/// ```
/// /etc/sluice/sluice.yaml:7:9: error: mqtt.port: expected a port 1…65535, found 70000 (fix: use the broker's port, usually 1883, or 8883 with TLS)
/// ```
/// A file with several problems throws them all at once, as `ConfigurationErrors`.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of problem this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The file is not well-formed YAML (bad indentation, unclosed quote, duplicate key…).
        public static let syntax = Code("syntax")
        /// A key the file format does not have (usually a typo).
        public static let unknownKey = Code("unknownKey")
        /// A value of the wrong shape: a list where a mapping belongs, text where a number belongs.
        public static let wrongType = Code("wrongType")
        /// A value of the right shape that cannot be read: a duration without a unit, a bad topic filter.
        public static let invalidValue = Code("invalidValue")
        /// A number, size or duration outside the range the setting allows.
        public static let outOfRange = Code("outOfRange")
        /// A required key is absent.
        public static let missingValue = Code("missingValue")
        /// A file or folder the configuration names does not exist or cannot be read.
        public static let fileNotFound = Code("fileNotFound")
        /// Settings that are each valid but contradict each other or another file.
        public static let conflict = Code("conflict")
        /// The code's name, e.g. `unknownKey`.
        public var description: String { name }
    }

    /// The kind of problem.
    public var code: Code
    /// What was found and what was expected, for a person.
    public var message: String
    /// What to change to fix it, if there is a clear answer.
    public var fix: String?
    /// The file the problem is in; nil when the text did not come from a file.
    public var file: String?
    /// The 1-based line of the offending value; nil when the problem has no single line.
    public var line: Int?
    /// The 1-based column (in Unicode scalars) of the offending value.
    public var column: Int?

    /// Creates an error.
    /// - Parameters:
    ///   - code: the kind of problem.
    ///   - message: what was found and what was expected.
    ///   - fix: what to change, if there is a clear answer.
    ///   - file: the file the problem is in.
    ///   - line: the 1-based line of the offending value.
    ///   - column: the 1-based column of the offending value.
    public init(
        code: Code, message: String, fix: String? = nil, file: String? = nil, line: Int? = nil, column: Int? = nil
    ) {
        self.code = code
        self.message = message
        self.fix = fix
        self.file = file
        self.line = line
        self.column = column
    }

    /// `path:line:column: error: message (fix: …)`, with the parts that are unknown left out.
    public var description: String {
        var text = ""
        if let file {
            text += file
            if let line {
                text += ":\(line)"
                if let column { text += ":\(column)" }
            }
            text += ": "
        }
        text += "error: \(message)"
        if let fix { text += " (fix: \(fix))" }
        return text
    }
}

extension ConfigurationError {
    /// This error placed at `location` and, when `key` is given, with the message prefixed by the
    /// key path (`mqtt.keepalive: expected …`). Value parsers throw errors without a place; the
    /// YAML reader places them.
    func located(at location: FileLocation, key: String? = nil) -> ConfigurationError {
        var error = self
        error.file = location.file
        error.line = location.line
        error.column = location.column
        if let key, !key.isEmpty { error.message = "\(key): \(message)" }
        return error
    }
}
