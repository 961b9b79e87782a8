internal import GRDB

/// How far one upstream has forwarded one partition: a row of the catalog's `forward_cursor` table.
///
/// On disk (SQLite, `WITHOUT ROWID`): `forward_cursor(upstream TEXT, topic TEXT, partition INTEGER,
/// next_offset INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY(upstream, topic, partition))`,
/// `updated_at` in milliseconds since 1970. A plain value; `Sendable`.
///
/// The forwarder reads cursors as a dictionary with ``Catalog/forwardCursors(upstream:)`` and saves
/// them with ``Catalog/saveForwardCursors(upstream:_:nowMillis:)``; this type is for operators'
/// views (`sluice status`) through ``Catalog/allForwardCursors(upstream:)``.
public struct ForwardCursor: Hashable, Sendable {
    /// The upstream's name, as the configuration names it.
    public var upstream: String
    /// The local topic.
    public var topic: String
    /// The local partition.
    public var partition: Int
    /// The offset of the first record not yet confirmed delivered upstream.
    public var nextOffset: Int64
    /// When the cursor last advanced (or was reset), in milliseconds since 1970.
    public var updatedAtMillis: Int64

    /// Creates a cursor value.
    /// - Parameters:
    ///   - upstream: The upstream's name.
    ///   - topic: The local topic.
    ///   - partition: The local partition.
    ///   - nextOffset: The first offset not yet delivered upstream.
    ///   - updatedAtMillis: When the cursor last moved, in milliseconds since 1970.
    public init(upstream: String, topic: String, partition: Int, nextOffset: Int64, updatedAtMillis: Int64) {
        self.upstream = upstream
        self.topic = topic
        self.partition = partition
        self.nextOffset = nextOffset
        self.updatedAtMillis = updatedAtMillis
    }

    /// The partition this cursor belongs to.
    public var key: TopicPartitionKey { TopicPartitionKey(topic: topic, partition: partition) }

    /// Decodes `SELECT upstream, topic, partition, next_offset, updated_at` by column position
    /// (no Codable: see NOTES.md).
    init(row: Row) {
        self.init(upstream: row[0], topic: row[1], partition: row[2], nextOffset: row[3], updatedAtMillis: row[4])
    }
}
