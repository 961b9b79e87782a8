import Foundation
import Yams

/// Reads one YAML file into typed settings, collecting every problem rather than stopping at the
/// first: each read that fails leaves the setting at its default and adds an error.
struct ConfigurationReader {
    /// The file being read, as messages name it.
    let file: String
    /// The problems found so far.
    var errors: [ConfigurationError] = []

    /// Creates a reader for `file`.
    init(file: String) { self.file = file }

    /// The text of the file at `path`.
    /// - Throws: `.fileNotFound` at `location` (or the file itself) when it is missing or unreadable.
    static func contents(
        of path: String, at location: FileLocation? = nil, key: String? = nil
    ) throws(ConfigurationError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            let problem = exists ? "cannot be read as UTF-8 text" : "does not exist"
            let prefix = key.map { "\($0): " } ?? ""
            throw (location ?? FileLocation(file: path)).error(
                .fileNotFound, "\(prefix)file '\(path)' \(problem)",
                fix: exists ? "check its permissions and encoding" : "create it, or correct the path")
        }
    }

    /// Composes `yaml` into its root value; an empty document is an empty mapping.
    /// - Throws: `.syntax` at the place the YAML parser stopped.
    func root(of yaml: String) throws(ConfigurationError) -> YAMLValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw syntaxError(error, in: yaml)
        } catch {
            throw FileLocation(file: file).error(.syntax, "expected YAML, found an unreadable document: \(error)")
        }
        let location = FileLocation(file: file, mark: node?.mark)
        return YAMLValue(node: node ?? Node("", .implicit, .plain), path: "", location: location, keyLocation: location)
    }

    /// Runs `body`, adding the error it throws, if any.
    /// - Returns: what `body` returns, or nil if it threw.
    @discardableResult
    mutating func attempt<Value>(_ body: () throws(ConfigurationError) -> Value) -> Value? {
        do {
            return try body()
        } catch {
            errors.append(error)
            return nil
        }
    }

    /// Sets `target` to `parse(value)` when `value` is present; leaves it (the default) when the
    /// key is absent or the value is invalid, adding the error.
    mutating func read<Value>(
        _ value: YAMLValue?, into target: inout Value, _ parse: (YAMLValue) throws(ConfigurationError) -> Value
    ) {
        guard let value else { return }
        if let parsed = attempt({ () throws(ConfigurationError) -> Value in try parse(value) }) { target = parsed }
    }

    /// The entries of `value` as a mapping with the allowed `keys`; nil (with the error added) when it
    /// is not a mapping, an empty mapping when it is absent.
    mutating func mapping(_ value: YAMLValue?, keys: [String]?) -> YAMLMapping? {
        guard let value else { return nil }
        do {
            return try value.mapping(keys: keys, errors: &errors)
        } catch {
            errors.append(error)
            return nil
        }
    }

    /// A Yams parse error as a configuration error at the place the parser stopped.
    private func syntaxError(_ error: YamlError, in yaml: String) -> ConfigurationError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            let line =
                yaml.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(max(0, mark.line - 1)).first
                ?? ""
            let fix =
                line.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t")
                ? "indent with spaces: YAML does not allow tabs in indentation"
                : "check the indentation, colons and quotes on this line and the one before"
            return FileLocation(file: file, mark: mark).error(
                .syntax, "expected valid YAML, found a syntax error: \(problem)\(during)", fix: fix)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return FileLocation(file: file, mark: context.mark).error(
                .syntax, "expected each key once in a mapping, found \(keys) more than once", fix: "keep one of them")
        case .reader(let problem, _, _, _):
            return FileLocation(file: file).error(
                .syntax, "expected UTF-8 text, found \(problem)", fix: "save the file as UTF-8")
        default:
            return FileLocation(file: file).error(.syntax, "expected valid YAML: \(error)")
        }
    }
}
