/// Where and how records are forwarded upstream to a central Kafka cluster (the `upstream:` section).
public struct UpstreamSettings: Sendable, Hashable {
    /// A name for this upstream, the key of its forward cursors. Default `upstream`.
    public var name: String = "upstream"
    /// `bootstrap.servers`, e.g. `kafka-1:9092,kafka-2:9092`. Required.
    public var bootstrapServers: String = ""
    /// Producer acknowledgements: 0 (fire and forget: lossy), 1 (leader) or all (every in-sync replica). Default all.
    public var acks: UpstreamAcks = .all
    /// Idempotent producer: no duplicates and kept order through retries. Default true (needs acks all).
    public var isIdempotent: Bool = true
    /// Batch compression upstream: none, gzip, snappy, lz4 or zstd. Default zstd.
    public var compression: String = "zstd"
    /// `linger.ms`: how long the producer waits to fill a batch. Default 5 ms.
    public var linger: Duration = .milliseconds(5)
    /// `batch.size` in bytes. Default 1 MiB.
    public var batchBytes: Int = 1 << 20
    /// Upstream topic = prefix + local topic, unless `topicMap` names it. Default "" (same name).
    public var topicPrefix: String = ""
    /// Explicit local → upstream topic names.
    public var topicMap: [String: String] = [:]
    /// Local topics to forward; empty = every device-profile topic (dead letters only if listed). Default empty.
    public var topics: [String] = []
    /// Most record bytes handed to the producer and not yet delivered: bounds memory, not the backlog. Default 16 MiB.
    public var maxInFlightBytes: Int = 16 << 20
    /// How often delivered positions are committed to the catalog. Default 1 s.
    public var cursorCommitInterval: Duration = .seconds(1)
    /// What to do with a record upstream refuses for good (too large, unauthorised, unknown topic):
    /// halt that partition, or skip the record (logged and counted; it stays in the local log). Default halt.
    public var onUnrecoverable: UnrecoverablePolicy = .halt
    /// Any other librdkafka property, passed as is (TLS, SASL, timeouts, …).
    public var properties: [String: String] = [:]

    /// The defaults.
    public init() {}

    /// The upstream topic for a local topic.
    public func upstreamTopic(for local: String) -> String { topicMap[local] ?? topicPrefix + local }
}

/// Producer acknowledgement levels.
public enum UpstreamAcks: String, Sendable, Hashable, CaseIterable {
    /// Fire and forget: records can be lost without anyone knowing.
    case none = "0"
    /// The partition leader wrote it.
    case leader = "1"
    /// Every in-sync replica wrote it.
    case all = "all"
}

/// What the forwarder does with a record upstream will never accept.
public enum UnrecoverablePolicy: String, Sendable, Hashable, CaseIterable {
    /// Stop forwarding that partition and report it (`sluice status`, log): nothing is skipped silently.
    case halt
    /// Log it, count it and go on (the record stays in the local log).
    case skip
}
