/// What an operator learns about the record being processed besides the record, and where it
/// puts what is not an output record: late records and counts.
public struct StreamContext: Sendable {
    /// The input partition's index among the job's input partitions.
    public var source: Int32
    /// The input topic's name (for `project`'s `add_topic`).
    public var sourceTopic: String
    /// Records later than their windows' grace, for the dead-letter topic (with reason `late`).
    public var late: [(record: StreamRecord, detail: String)] = []
    /// Records refused because their key would exceed `max_keys`.
    public var refusedKeys = 0

    /// Creates a context for records of input partition `source` of topic `sourceTopic`.
    public init(source: Int32, sourceTopic: String) {
        self.source = source
        self.sourceTopic = sourceTopic
    }
}
