internal import GRDB

extension Catalog {
    /// Commits a consumer group's offsets in one transaction: Kafka's OffsetCommit.
    ///
    /// Unlike forward cursors, a committed offset may move backwards (a consumer that seeks back and
    /// commits means it), so each commit replaces what was stored. Stores no leader epoch: the
    /// overload whose tuples carry a `leaderEpoch` serves OffsetCommit v6+. Blocking file I/O: see
    /// ``Catalog``.
    /// - Parameters:
    ///   - group: The consumer group's id.
    ///   - offsets: The next offset the group will read, and its metadata string, per partition.
    ///   - nowMillis: The commit time to record, in milliseconds since 1970.
    /// - Throws: ``CatalogError`` if the batch cannot be committed; then none of it is saved.
    public func commitOffsets(
        group: String, _ offsets: [TopicPartitionKey: (offset: Int64, metadata: String?)], nowMillis: Int64
    ) throws(CatalogError) {
        try commitOffsets(
            group: group, offsets.mapValues { (offset: $0.offset, leaderEpoch: nil, metadata: $0.metadata) },
            nowMillis: nowMillis)
    }

    /// Commits a consumer group's offsets with the leader epoch each consumer sent (OffsetCommit v6+),
    /// in one transaction; each commit replaces what was stored. Blocking file I/O: see ``Catalog``.
    /// - Parameters:
    ///   - group: The consumer group's id.
    ///   - offsets: The next offset the group will read, the leader epoch (`nil` if none was sent) and
    ///     the metadata string, per partition.
    ///   - nowMillis: The commit time to record, in milliseconds since 1970.
    /// - Throws: ``CatalogError`` if the batch cannot be committed; then none of it is saved.
    public func commitOffsets(
        group: String, _ offsets: [TopicPartitionKey: (offset: Int64, leaderEpoch: Int32?, metadata: String?)],
        nowMillis: Int64
    ) throws(CatalogError) {
        guard !offsets.isEmpty else { return }
        try write("committing \(offsets.count) offsets of consumer group '\(group)'") { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO consumer_offset
                        (group_id, topic, partition, committed_offset, leader_epoch, metadata, committed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (group_id, topic, partition) DO UPDATE
                    SET committed_offset = excluded.committed_offset, leader_epoch = excluded.leader_epoch,
                        metadata = excluded.metadata, committed_at = excluded.committed_at
                    """)
            for (key, commit) in offsets {
                statement.setUncheckedArguments([
                    group, key.topic, key.partition, commit.offset, commit.leaderEpoch, commit.metadata, nowMillis,
                ])
                try statement.execute()
            }
        }
    }

    /// A consumer group's committed offsets: Kafka's OffsetFetch. Partitions the group never
    /// committed are absent; an unknown group gives an empty dictionary.
    /// - Parameter group: The consumer group's id.
    /// - Returns: The committed offset, per partition.
    /// - Throws: ``CatalogError`` if the catalog cannot be read.
    public func committedOffsets(group: String) throws(CatalogError) -> [TopicPartitionKey: ConsumerOffset] {
        try read("reading the offsets of consumer group '\(group)'") { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT group_id, topic, partition, committed_offset, leader_epoch, metadata, committed_at
                    FROM consumer_offset WHERE group_id = ?
                    """)
            let rows = try Row.fetchCursor(statement, arguments: [group])
            var offsets: [TopicPartitionKey: ConsumerOffset] = [:]
            while let row = try rows.next() {
                let offset = ConsumerOffset(row: row)
                offsets[offset.key] = offset
            }
            return offsets
        }
    }

    /// The ids of every group with at least one committed offset, sorted: Kafka's ListGroups.
    /// - Returns: The group ids.
    /// - Throws: ``CatalogError`` if the catalog cannot be read.
    public func groups() throws(CatalogError) -> [String] {
        try read("listing consumer groups") { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT group_id FROM consumer_offset ORDER BY group_id")
        }
    }

    /// Deletes every committed offset of a group: Kafka's DeleteGroups.
    /// - Parameter group: The consumer group's id.
    /// - Returns: How many partitions' offsets were deleted; 0 means the group was unknown
    ///   (Kafka's `GROUP_ID_NOT_FOUND`).
    /// - Throws: ``CatalogError`` if it cannot be committed.
    @discardableResult
    public func deleteGroup(_ group: String) throws(CatalogError) -> Int {
        try write("deleting consumer group '\(group)'") { db in
            try db.execute(sql: "DELETE FROM consumer_offset WHERE group_id = ?", arguments: [group])
            return db.changesCount
        }
    }
}
