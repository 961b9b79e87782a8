internal import GRDB

/// A consumer group's committed position in one partition: a row of the catalog's `consumer_offset`
/// table, the catalog's stand-in for Kafka's `__consumer_offsets`.
///
/// On disk (SQLite, `WITHOUT ROWID`): `consumer_offset(group_id TEXT, topic TEXT, partition INTEGER,
/// committed_offset INTEGER NOT NULL, leader_epoch INTEGER, metadata TEXT, committed_at INTEGER NOT NULL,
/// PRIMARY KEY(group_id, topic, partition))`, `committed_at` in milliseconds since 1970, a missing
/// leader epoch or metadata as NULL. A plain value; `Sendable`.
public struct ConsumerOffset: Hashable, Sendable {
    /// The consumer group's id.
    public var groupID: String
    /// The topic.
    public var topic: String
    /// The partition.
    public var partition: Int
    /// The committed offset: by Kafka's convention, the next record the group will read.
    public var committedOffset: Int64
    /// The leader epoch the consumer sent with the commit (OffsetCommit v6+), `nil` when it sent none.
    /// Sluice has no leaders to elect, so this is only stored and returned as given.
    public var leaderEpoch: Int32?
    /// The consumer's free-form metadata string, `nil` when it sent none.
    public var metadata: String?
    /// When the offset was committed, in milliseconds since 1970.
    public var committedAtMillis: Int64

    /// Creates an offset value.
    /// - Parameters:
    ///   - groupID: The consumer group's id.
    ///   - topic: The topic.
    ///   - partition: The partition.
    ///   - committedOffset: The next offset the group will read.
    ///   - leaderEpoch: The leader epoch sent with the commit, if any.
    ///   - metadata: The consumer's metadata string, if any.
    ///   - committedAtMillis: When it was committed, in milliseconds since 1970.
    public init(
        groupID: String, topic: String, partition: Int, committedOffset: Int64,
        leaderEpoch: Int32? = nil, metadata: String? = nil, committedAtMillis: Int64
    ) {
        self.groupID = groupID
        self.topic = topic
        self.partition = partition
        self.committedOffset = committedOffset
        self.leaderEpoch = leaderEpoch
        self.metadata = metadata
        self.committedAtMillis = committedAtMillis
    }

    /// The partition this offset belongs to.
    public var key: TopicPartitionKey { TopicPartitionKey(topic: topic, partition: partition) }

    /// Decodes `SELECT group_id, topic, partition, committed_offset, leader_epoch, metadata, committed_at`
    /// by column position (no Codable).
    init(row: Row) {
        self.init(
            groupID: row[0], topic: row[1], partition: row[2], committedOffset: row[3],
            leaderEpoch: row[4], metadata: row[5], committedAtMillis: row[6])
    }
}
