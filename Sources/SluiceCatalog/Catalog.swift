internal import GRDB

/// The gateway's small database of state that is not the log: forward cursors, consumer-group
/// offsets and the device registry, in one SQLite file reached through GRDB.
///
/// **On disk.** One SQLite file, usually `<data_dir>/catalog.sqlite`, in WAL mode: next to it live
/// `catalog.sqlite-wal` (recent commits, folded into the main file at checkpoints) and
/// `catalog.sqlite-shm` (the WAL's index). Copy or move all three together, or none while sluice
/// runs. The tables are `forward_cursor` (``ForwardCursor``), `consumer_offset` (``ConsumerOffset``),
/// `device` (``DeviceRecord``) and `stream_checkpoint` (``StreamCheckpoint``), created by versioned
/// migrations recorded in `grdb_migrations`.
/// Durability of a commit is chosen by ``Configuration/synchronous``; see ``Configuration/Synchronous``
/// for the trade-off.
///
/// **Batches, not records.** Nothing on the ingest or forward hot path calls the catalog per record:
/// cursors, offsets and device activity are written in batches, each batch one transaction with
/// prepared statements, so one commit (a few WAL pages) covers a whole batch.
///
/// **Threads.** A `Catalog` may be shared by any number of threads and tasks: GRDB's `DatabasePool`
/// serialises writes on one connection and runs reads concurrently on others (WAL readers never
/// block the writer). Every call is synchronous and does file I/O (an fsync per commit with
/// ``Configuration/Synchronous/full``): on a hot loop, call it from a thread of your own — the
/// forwarder does, about once a second — never from a task on Swift's cooperative pool, where a
/// slow SD card would stall unrelated tasks.
public final class Catalog: Sendable {
    /// The catalog file's path, as given to ``init(path:configuration:)``.
    public let path: String
    /// The configuration the file was opened with.
    public let configuration: Configuration
    /// One writer connection and a few reader connections; `DatabasePool` is `Sendable`.
    let pool: DatabasePool

    /// Opens the catalog at `path`, creating the file if it does not exist, and brings its schema up
    /// to date. Reopening an up-to-date file changes nothing.
    /// - Parameters:
    ///   - path: The catalog file, e.g. `<data_dir>/catalog.sqlite`. Its directory must exist.
    ///   - configuration: Durability, busy timeout and the integrity check at open.
    /// - Throws: ``CatalogError`` with ``CatalogError/Code/corrupt`` if the file is not an SQLite
    ///   database or is damaged (the message names the path and says to move it aside),
    ///   ``CatalogError/Code/openFailed`` if it cannot be opened or was written by a newer sluice,
    ///   ``CatalogError/Code/diskFull``, ``CatalogError/Code/io`` or ``CatalogError/Code/busy``.
    public init(path: String, configuration: Configuration = Configuration()) throws(CatalogError) {
        var options = GRDB.Configuration()
        options.label = "sluice.catalog"
        options.journalMode = .wal
        options.busyMode = .timeout(configuration.busyTimeout.seconds)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: options)
            // GRDB sets `synchronous = NORMAL` on the writer after `prepareDatabase` runs, so FULL has
            // to be set here, once, on the writer: the only connection that commits.
            try pool.writeWithoutTransaction { db in
                if configuration.synchronous == .full {
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                }
                if configuration.checksIntegrityOnOpen {
                    try Self.quickCheck(db, path: path)
                }
            }
            try CatalogSchema.migrate(pool, path: path)
        } catch {
            throw CatalogError(mapping: error, path: path, operation: "opening")
        }
        // Stored properties are assigned only after every failure path (see NOTES.md).
        self.path = path
        self.configuration = configuration
        self.pool = pool
    }

    /// Checkpoints the WAL into the main file (fsyncing it, and truncating the WAL), then closes
    /// every connection. After this, commits made with ``Configuration/Synchronous/normal`` survive
    /// a power loss too. Later calls fail with ``CatalogError/Code/closed``.
    ///
    /// Call it at shutdown, after the forwarder and the Kafka listener have stopped. Releasing the
    /// last reference also closes the connections but may leave the WAL un-checkpointed (GRDB closes
    /// its read-only connections last, and those cannot checkpoint): nothing is lost to a process
    /// exit, and the next open replays the WAL, but the last commits are not yet on the device.
    /// - Throws: ``CatalogError`` if the checkpoint fails (I/O, a busy lock held by another process)
    ///   or SQLite cannot close; the catalog is then still usable.
    public func close() throws(CatalogError) {
        do {
            _ = try pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try pool.close()
        } catch {
            throw CatalogError(mapping: error, path: path, operation: "closing")
        }
    }

    // MARK: - Plumbing shared by the table extensions

    /// Runs `body` in one write transaction and maps any failure to a ``CatalogError``.
    /// - Parameters:
    ///   - operation: What is being done, for the error message; evaluated only on failure.
    ///   - body: The transaction's work; it commits if `body` returns and rolls back if it throws.
    func write<T>(_ operation: @autoclosure () -> String, _ body: (Database) throws -> T) throws(CatalogError) -> T {
        do {
            return try pool.write(body)
        } catch {
            throw CatalogError(mapping: error, path: path, operation: operation())
        }
    }

    /// Runs `body` on a reader connection (a consistent snapshot) and maps any failure.
    /// - Parameters:
    ///   - operation: What is being done, for the error message; evaluated only on failure.
    ///   - body: The reads.
    func read<T>(_ operation: @autoclosure () -> String, _ body: (Database) throws -> T) throws(CatalogError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw CatalogError(mapping: error, path: path, operation: operation())
        }
    }

    /// Runs `PRAGMA quick_check` and throws ``CatalogError/Code/corrupt`` unless it answers `ok`.
    private static func quickCheck(_ db: Database, path: String) throws {
        let report = try String.fetchAll(db, sql: "PRAGMA quick_check(3)")
        guard report != ["ok"] else { return }
        // Drop the "*** in database main ***" banner; keep the first few findings.
        let findings = report.flatMap { $0.split(separator: "\n") }.filter { !$0.hasPrefix("***") }
        throw CatalogError(
            code: .corrupt,
            message: "opening failed for the catalog \(path): the integrity check found "
                + "\"\(findings.joined(separator: "; "))\"; " + CatalogError.corruptAdvice(path: path),
            path: path, cause: ResultCode.SQLITE_CORRUPT.rawValue)
    }
}

extension Duration {
    /// The duration in seconds, as GRDB's busy timeout wants it.
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
