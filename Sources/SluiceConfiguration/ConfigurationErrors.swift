/// Every problem found while loading a configuration and its device profiles: loading does not
/// stop at the first one, so a person can fix them all in one pass.
public struct ConfigurationErrors: Error, CustomStringConvertible, Sendable, Hashable {
    /// The problems, grouped by file (in the order the files were read) and by line within a file.
    public var errors: [ConfigurationError]

    /// Collects `errors`, grouping them by file in the order each file first appears, and ordering
    /// each file's errors by line and column.
    /// - Parameter errors: the problems, in the order they were found.
    public init(_ errors: [ConfigurationError]) {
        var files: [String] = []
        for error in errors where !files.contains(error.file ?? "") { files.append(error.file ?? "") }
        self.init(errors, fileOrder: files)
    }

    /// Collects `errors`, grouping them by file in `fileOrder` (files not in it last), each file's
    /// errors ordered by line and column; errors without a line follow those with one.
    init(_ errors: [ConfigurationError], fileOrder: [String]) {
        let rank = Dictionary(
            fileOrder.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        self.errors = errors.enumerated().sorted { left, right in
            let leftKey = (rank[left.element.file ?? ""] ?? .max, left.element.line ?? .max, left.element.column ?? 0)
            let rightKey = (
                rank[right.element.file ?? ""] ?? .max, right.element.line ?? .max, right.element.column ?? 0
            )
            return leftKey != rightKey ? leftKey < rightKey : left.offset < right.offset
        }.map(\.element)
    }

    /// One problem per line, each as `path:line:column: error: message (fix: …)`.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
