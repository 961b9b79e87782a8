import Yams

/// A place in a configuration file: the file and, when known, the 1-based line and column.
struct FileLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file path as given to the loader.
    var file: String
    /// The 1-based line.
    var line: Int?
    /// The 1-based column, in Unicode scalars.
    var column: Int?

    /// The place of a YAML node (`mark` is nil for nodes built in code).
    init(file: String, mark: Mark?) {
        self.file = file
        self.line = mark?.line
        self.column = mark?.column
    }

    /// The whole file, no line.
    init(file: String) {
        self.file = file
    }

    /// `path:line`, as messages cite another place (`also in devices/a.yaml:2`).
    var description: String {
        line.map { "\(file):\($0)" } ?? file
    }

    /// An error at this place.
    func error(_ code: ConfigurationError.Code, _ message: String, fix: String? = nil) -> ConfigurationError {
        ConfigurationError(code: code, message: message, fix: fix, file: file, line: line, column: column)
    }
}
