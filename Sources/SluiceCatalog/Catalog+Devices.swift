internal import GRDB

extension Catalog {
    /// Adds a window's device activity to the registry in one transaction.
    ///
    /// Per device: the message count is added, `first_seen` keeps the earliest time and `last_seen`
    /// the latest, and a non-nil profile or topic replaces the stored one; an unknown device is
    /// inserted. Ingest calls this every few seconds with one ``DeviceActivity`` per active device —
    /// never per message. Blocking file I/O: see ``Catalog``.
    /// - Parameter batch: One summary per device; a device may appear more than once.
    /// - Throws: ``CatalogError`` if the batch cannot be committed; then none of it is saved.
    public func recordDeviceActivity(_ batch: [DeviceActivity]) throws(CatalogError) {
        guard !batch.isEmpty else { return }
        try write("recording the activity of \(batch.count) devices") { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO device (device_id, profile, topic, first_seen, last_seen, message_count)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (device_id) DO UPDATE
                    SET profile = COALESCE(excluded.profile, profile), topic = COALESCE(excluded.topic, topic),
                        first_seen = MIN(first_seen, excluded.first_seen),
                        last_seen = MAX(last_seen, excluded.last_seen),
                        message_count = message_count + excluded.message_count
                    """)
            for activity in batch {
                statement.setUncheckedArguments([
                    activity.deviceID, activity.profile, activity.topic, activity.firstSeenMillis,
                    activity.lastSeenMillis, activity.messageCount,
                ])
                try statement.execute()
            }
        }
    }

    /// One device, or `nil` if the gateway has never heard from it.
    /// - Parameter deviceID: The device's id.
    /// - Returns: Its registry entry.
    /// - Throws: ``CatalogError`` if the catalog cannot be read.
    public func device(_ deviceID: String) throws(CatalogError) -> DeviceRecord? {
        try read("reading device '\(deviceID)'") { db in
            try Row.fetchOne(db, sql: Self.deviceColumns + " WHERE device_id = ?", arguments: [deviceID])
                .map(DeviceRecord.init(row:))
        }
    }

    /// Devices heard from at or after a time, sorted by id.
    /// - Parameter seenSince: The earliest `last_seen` to include, in milliseconds since 1970.
    /// - Returns: The devices whose latest message arrived at or after `seenSince`.
    /// - Throws: ``CatalogError`` if the catalog cannot be read.
    public func devices(seenSince: Int64) throws(CatalogError) -> [DeviceRecord] {
        try read("listing devices") { db in
            try Row.fetchAll(
                db, sql: Self.deviceColumns + " WHERE last_seen >= ? ORDER BY device_id", arguments: [seenSince]
            ).map(DeviceRecord.init(row:))
        }
    }

    /// Devices not heard from since a time — the ones to worry about — longest silent first.
    /// - Parameter notSeenSince: Include devices whose latest message arrived before this time,
    ///   in milliseconds since 1970.
    /// - Returns: The quiet devices, by `last_seen` ascending, then id.
    /// - Throws: ``CatalogError`` if the catalog cannot be read.
    public func quietDevices(notSeenSince: Int64) throws(CatalogError) -> [DeviceRecord] {
        try read("listing quiet devices") { db in
            try Row.fetchAll(
                db, sql: Self.deviceColumns + " WHERE last_seen < ? ORDER BY last_seen, device_id",
                arguments: [notSeenSince]
            ).map(DeviceRecord.init(row:))
        }
    }

    /// The `SELECT` that ``DeviceRecord/init(row:)`` decodes.
    private static let deviceColumns =
        "SELECT device_id, profile, topic, first_seen, last_seen, message_count FROM device"
}

extension Catalog {
    /// How many devices the registry knows, how many spoke at or after `seenSince`, and how many
    /// have been silent since before `notSeenSince` — three counts in one read, for status pages.
    /// - Parameters:
    ///   - seenSince: The earliest `last_seen` counted as recently seen, in milliseconds since 1970.
    ///   - notSeenSince: A `last_seen` before this counts as quiet, in milliseconds since 1970.
    /// - Returns: The counts.
    /// - Throws: ``CatalogError`` if the catalog cannot be read.
    public func deviceCounts(seenSince: Int64, notSeenSince: Int64) throws(CatalogError) -> (known: Int, seen: Int, quiet: Int) {
        try read("counting devices") { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*), COALESCE(SUM(last_seen >= ?), 0), COALESCE(SUM(last_seen < ?), 0) FROM device
                    """, arguments: [seenSince, notSeenSince])
            return (known: row?[0] ?? 0, seen: row?[1] ?? 0, quiet: row?[2] ?? 0)
        }
    }

    /// The longest-silent devices not heard from since a time, at most `limit` of them.
    /// - Parameters:
    ///   - notSeenSince: Include devices whose latest message arrived before this time, in
    ///     milliseconds since 1970.
    ///   - limit: The most devices returned.
    /// - Returns: The quiet devices, by `last_seen` ascending, then id.
    /// - Throws: ``CatalogError`` if the catalog cannot be read.
    public func quietDevices(notSeenSince: Int64, limit: Int) throws(CatalogError) -> [DeviceRecord] {
        try read("listing quiet devices") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT device_id, profile, topic, first_seen, last_seen, message_count FROM device"
                    + " WHERE last_seen < ? ORDER BY last_seen, device_id LIMIT ?",
                arguments: [notSeenSince, limit]
            ).map(DeviceRecord.init(row:))
        }
    }
}
