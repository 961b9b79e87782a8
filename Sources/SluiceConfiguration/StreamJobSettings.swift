/// One stream-processing job of the `streams:` section: records of its input topics run through
/// its operators, in order, and what comes out is appended to its output topic with the same key
/// (so a device's records keep their partition and order).
public struct StreamJobSettings: Sendable, Hashable {
    /// The job's name (the key under `streams:`); it names the job's checkpoint in the catalog
    /// and the `sluice.stream` header of what it writes.
    public var name: String
    /// The topics read, each from its first partition to its last. At least one.
    public var inputs: [String]
    /// The topic written. Never an input, the dead-letter topic, or a device-profile topic.
    public var output: String
    /// The operators, applied in order.
    public var operators: [StreamOperatorSettings]
    /// The most keys (devices) each stateful operator (deadband, window) keeps state for; records
    /// of further keys are refused, counted and logged. Default 10000.
    public var maxKeys: Int = 10_000
    /// How often the job saves its input offsets, operator state and output positions to the
    /// catalog, in one transaction. After a crash the job replays at most this much input. Default 10s.
    public var checkpointInterval: Duration = .seconds(10)

    /// Creates a job.
    public init(name: String, inputs: [String], output: String, operators: [StreamOperatorSettings]) {
        self.name = name
        self.inputs = inputs
        self.output = output
        self.operators = operators
    }
}
