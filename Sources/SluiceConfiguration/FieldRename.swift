/// One `rename` entry of a `project` operator.
public struct FieldRename: Sendable, Hashable {
    /// The field's name in the input.
    public var from: String
    /// Its name in the output.
    public var to: String

    /// Creates a rename.
    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }
}
