internal import GRDB

/// The catalog's schema, as a list of versioned migrations applied in order by GRDB's
/// `DatabaseMigrator` (which records applied ones in `grdb_migrations`).
///
/// Rules: a released migration is never edited, only followed by a new one. Tables are
/// `WITHOUT ROWID` because each is only ever reached by its primary key: one B-tree per table
/// instead of a rowid table plus its primary-key index, so a smaller file, one B-tree descent per
/// upsert instead of two, and one page dirtied per insert instead of two. The price: SQLite's update
/// hook does not fire for such tables, so GRDB `TransactionObserver`s see their commits but not
/// per-row change events (nothing in Sluice observes rows).
enum CatalogSchema {
    /// Identifiers in the order they run; the last one is the current schema version.
    static let migrationIdentifiers = ["1-forward-cursor", "2-consumer-offset", "3-device", "4-stream-checkpoint"]

    /// A migrator holding every migration, in order.
    static func makeMigrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1-forward-cursor") { db in
            try db.execute(
                sql: """
                    CREATE TABLE forward_cursor (
                        upstream    TEXT    NOT NULL,
                        topic       TEXT    NOT NULL,
                        partition   INTEGER NOT NULL,
                        next_offset INTEGER NOT NULL,
                        updated_at  INTEGER NOT NULL,
                        PRIMARY KEY (upstream, topic, partition)
                    ) WITHOUT ROWID
                    """)
        }
        migrator.registerMigration("2-consumer-offset") { db in
            try db.execute(
                sql: """
                    CREATE TABLE consumer_offset (
                        group_id         TEXT    NOT NULL,
                        topic            TEXT    NOT NULL,
                        partition        INTEGER NOT NULL,
                        committed_offset INTEGER NOT NULL,
                        leader_epoch     INTEGER,
                        metadata         TEXT,
                        committed_at     INTEGER NOT NULL,
                        PRIMARY KEY (group_id, topic, partition)
                    ) WITHOUT ROWID
                    """)
        }
        // No index on last_seen: it would be rewritten on every activity batch, and scanning a few
        // thousand devices for `quietDevices` is cheaper than that on an SD card.
        migrator.registerMigration("3-device") { db in
            try db.execute(
                sql: """
                    CREATE TABLE device (
                        device_id     TEXT    NOT NULL PRIMARY KEY,
                        profile       TEXT,
                        topic         TEXT,
                        first_seen    INTEGER NOT NULL,
                        last_seen     INTEGER NOT NULL,
                        message_count INTEGER NOT NULL
                    ) WITHOUT ROWID
                    """)
        }
        // One row per stream job: its whole checkpoint, written in one statement so that input
        // offsets, operator state and output positions always belong together.
        migrator.registerMigration("4-stream-checkpoint") { db in
            try db.execute(
                sql: """
                    CREATE TABLE stream_checkpoint (
                        job          TEXT    NOT NULL PRIMARY KEY,
                        inputs       TEXT    NOT NULL,
                        outputs      TEXT    NOT NULL,
                        fingerprint  TEXT    NOT NULL,
                        state        BLOB    NOT NULL,
                        updated_at   INTEGER NOT NULL
                    ) WITHOUT ROWID
                    """)
        }
        return migrator
    }

    /// Brings the file at `pool` to the current schema; does nothing if it is already there.
    /// - Throws: ``CatalogError/Code/openFailed`` if the file was migrated by a newer Sluice (it has
    ///   migrations this version does not know), or whatever GRDB throws.
    static func migrate(_ pool: DatabasePool, path: String) throws {
        let migrator = makeMigrator()
        let unknown = try pool.read { db in
            try migrator.appliedIdentifiers(db).subtracting(migrationIdentifiers).sorted()
        }
        guard unknown.isEmpty else {
            throw CatalogError(
                code: .openFailed,
                message: "the catalog \(path) was written by a newer sluice (schema migrations "
                    + "\(unknown.joined(separator: ", ")) are unknown to this version); run the newer "
                    + "version, or move the file aside to start with an empty catalog",
                path: path)
        }
        try migrator.migrate(pool)
    }
}
