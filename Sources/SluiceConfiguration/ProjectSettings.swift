/// The `project` operator: reshapes a JSON object's top-level fields, in this order: `keep`
/// (only these, if given), `drop`, `rename`, then `add_key` / `add_topic` add the record key and the
/// source topic as string fields. A value that is not a JSON object passes unchanged.
public struct ProjectSettings: Sendable, Hashable {
    /// Only these fields are kept; nil keeps all. Default nil.
    public var keep: [String]?
    /// These fields are removed. Default none.
    public var drop: [String] = []
    /// Fields renamed, old name → new name, in file order. Default none.
    public var rename: [FieldRename] = []
    /// The name of a field to add holding the record key (the device id). Default none.
    public var addKey: String?
    /// The name of a field to add holding the topic the record was read from. Default none.
    public var addTopic: String?

    /// Creates a projection that changes nothing.
    public init() {}
}
