internal import GRDB

extension Catalog {
    /// Every cursor of one upstream: the offset of the first record not yet delivered, per partition.
    ///
    /// Called by the forwarder when it starts. Partitions it has never forwarded are absent.
    /// Blocking file I/O: see ``Catalog``.
    /// - Parameter upstream: The upstream's name, as the configuration names it.
    /// - Returns: The next offset to forward, per partition.
    /// - Throws: ``CatalogError`` if the catalog cannot be read.
    public func forwardCursors(upstream: String) throws(CatalogError) -> [TopicPartitionKey: Int64] {
        try read("reading the forward cursors of upstream '\(upstream)'") { db in
            let statement = try db.cachedStatement(
                sql: "SELECT topic, partition, next_offset FROM forward_cursor WHERE upstream = ?")
            let rows = try Row.fetchCursor(statement, arguments: [upstream])
            var cursors: [TopicPartitionKey: Int64] = [:]
            while let row = try rows.next() {
                cursors[TopicPartitionKey(topic: row[0], partition: row[1])] = row[2]
            }
            return cursors
        }
    }

    /// Saves a batch of cursors of one upstream in one transaction; a cursor never moves backwards.
    ///
    /// Each cursor becomes `MAX(stored, given)`: a stale value (a late delivery report, a retry)
    /// leaves the stored cursor and its `updated_at` as they are. Use
    /// ``resetForwardCursor(upstream:_:to:nowMillis:)`` to move one back on purpose. The forwarder
    /// calls this about once a second with every cursor that advanced; one prepared statement runs
    /// per cursor and one commit covers the batch. An empty batch does nothing. Blocking file I/O:
    /// see ``Catalog``; durability of the commit: see ``Configuration/Synchronous``.
    /// - Parameters:
    ///   - upstream: The upstream's name.
    ///   - cursors: The next offset to forward, per partition.
    ///   - nowMillis: The time to record as `updated_at`, in milliseconds since 1970.
    /// - Throws: ``CatalogError`` if the batch cannot be committed; then none of it is saved.
    public func saveForwardCursors(
        upstream: String, _ cursors: [TopicPartitionKey: Int64], nowMillis: Int64
    ) throws(CatalogError) {
        guard !cursors.isEmpty else { return }
        try write("saving \(cursors.count) forward cursors of upstream '\(upstream)'") { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO forward_cursor (upstream, topic, partition, next_offset, updated_at)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (upstream, topic, partition) DO UPDATE
                    SET next_offset = MAX(next_offset, excluded.next_offset), updated_at = excluded.updated_at
                    WHERE excluded.next_offset > next_offset
                    """)
            for (key, nextOffset) in cursors {
                // The SQL is fixed and has five parameters: skip GRDB's per-call argument validation.
                statement.setUncheckedArguments([upstream, key.topic, key.partition, nextOffset, nowMillis])
                try statement.execute()
            }
        }
    }

    /// Sets one cursor to exactly `nextOffset`, backwards included: the operator's tool for
    /// re-forwarding a range (`sluice` CLI) or skipping past records that must not go upstream.
    ///
    /// Stop the upstream's forwarder first, or its next save moves the cursor forward again.
    /// - Parameters:
    ///   - upstream: The upstream's name.
    ///   - key: The partition.
    ///   - nextOffset: The next offset to forward.
    ///   - nowMillis: The time to record as `updated_at`, in milliseconds since 1970.
    /// - Throws: ``CatalogError`` if it cannot be committed.
    public func resetForwardCursor(
        upstream: String, _ key: TopicPartitionKey, to nextOffset: Int64, nowMillis: Int64
    ) throws(CatalogError) {
        try write("resetting the forward cursor of upstream '\(upstream)' for \(key)") { db in
            try db.execute(
                sql: """
                    INSERT INTO forward_cursor (upstream, topic, partition, next_offset, updated_at)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (upstream, topic, partition) DO UPDATE
                    SET next_offset = excluded.next_offset, updated_at = excluded.updated_at
                    """,
                arguments: [upstream, key.topic, key.partition, nextOffset, nowMillis])
        }
    }

    /// Every stored cursor, or those of one upstream, sorted by upstream, topic and partition: for
    /// operators' views (`sluice status`), not for the forward loop.
    /// - Parameter upstream: Only this upstream's cursors; `nil` for all.
    /// - Returns: The cursors with the time each last moved.
    /// - Throws: ``CatalogError`` if the catalog cannot be read.
    public func allForwardCursors(upstream: String? = nil) throws(CatalogError) -> [ForwardCursor] {
        try read("listing forward cursors") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT upstream, topic, partition, next_offset, updated_at FROM forward_cursor
                    WHERE ?1 IS NULL OR upstream = ?1 ORDER BY upstream, topic, partition
                    """,
                arguments: [upstream]
            ).map(ForwardCursor.init(row:))
        }
    }
}
