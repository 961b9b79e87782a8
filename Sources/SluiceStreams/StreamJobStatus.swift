/// What one stream job has done, as `sluice status` shows it.
public struct StreamJobStatus: Sendable, Hashable {
    /// One input partition's position.
    public struct InputPosition: Sendable, Hashable {
        /// `topic-partition`.
        public var partition: String
        /// The next offset the job processes.
        public var position: Int64
        /// The partition's high watermark when last looked at.
        public var highWatermark: Int64
    }

    /// The job's name.
    public var name: String
    /// Its output topic.
    public var output: String
    /// Input records processed since start.
    public var recordsIn = 0
    /// Records written to the output since start.
    public var recordsOut = 0
    /// Late records sent to the dead-letter topic since start.
    public var lateRecords = 0
    /// Records refused because their key would exceed `max_keys`.
    public var refusedKeys = 0
    /// Output records not written again after a restart because the output already held them.
    public var replaySkipped = 0
    /// Input records deleted by retention before the job read them.
    public var retentionLost = 0
    /// Keys with state.
    public var keys = 0
    /// Bytes of the last checkpoint's state.
    public var stateBytes = 0
    /// When the last checkpoint was saved (ms since the epoch).
    public var lastCheckpointMillis: Int64?
    /// The last error, if any.
    public var lastError: String?
    /// Whether the job stopped on an error (a restart resumes it from its checkpoint).
    public var isHalted = false
    /// Input partitions.
    public var inputs: [InputPosition] = []

    /// Records not yet processed.
    public var lag: Int64 { inputs.reduce(0) { $0 + max(0, $1.highWatermark - $1.position) } }

    /// Creates an empty status.
    public init(name: String, output: String) {
        self.name = name
        self.output = output
    }
}
