extension Catalog {
    /// How the catalog opens its SQLite file. Every property has a default suited to an SD card.
    public struct Configuration: Sendable {
        /// When a committed write reaches the storage device. See ``Synchronous``.
        ///
        /// Default: ``Synchronous/normal``.
        public var synchronous: Synchronous = .normal
        /// How long a call waits for another process holding the file's lock (a `sluice` CLI
        /// command, `sqlite3` opened by an operator) before failing with ``CatalogError/Code/busy``.
        ///
        /// Default: 5 seconds.
        public var busyTimeout: Duration = .seconds(5)
        /// Whether opening runs `PRAGMA quick_check` and fails with ``CatalogError/Code/corrupt`` if
        /// the file is damaged, rather than finding out in the middle of a run. It reads the whole
        /// file once, which is cheap for a catalog (kilobytes to a few megabytes).
        ///
        /// Default: `true`.
        public var checksIntegrityOnOpen: Bool = true

        /// Creates the default configuration.
        public init() {}

        /// When a committed transaction is durable; SQLite's `PRAGMA synchronous` in WAL mode.
        ///
        /// In WAL mode a commit appends the changed pages to `catalog.sqlite-wal`. Neither setting can
        /// corrupt the file: after any crash or power loss SQLite recovers to a committed state. They
        /// differ in which committed state, and in fsyncs:
        ///
        /// - ``normal``: a commit does not fsync; the WAL is fsynced only when it is checkpointed into
        ///   the main file (every ~1000 pages written, and when the catalog closes). A crash of the
        ///   *process* (`kill -9`, a panic) loses nothing committed, because the pages are already in
        ///   the kernel's cache. A *power loss or kernel crash* may roll back the commits made since the
        ///   WAL last reached the device: in practice about the last 30 s (Linux writes dirty pages
        ///   back after `vm.dirty_expire_centisecs`, 30 s by default), at most the commits since the
        ///   last checkpoint. On an SD card this saves an fsync (2–20 ms) per commit.
        /// - ``full``: every commit fsyncs the WAL before returning. After any crash, power loss
        ///   included, a forward cursor can go back by at most the one commit interval that was in
        ///   flight (about one second of forwarding). Costs one fsync per commit.
        ///
        /// Either way a cursor that goes back only re-sends records already delivered upstream: the
        /// forwarder tolerates this as bounded duplicates (counted; the central side can deduplicate by
        /// the origin headers). With ``normal`` the bound is the writeback window, with ``full`` one
        /// commit interval. Records themselves are never at risk: they live in the log, not here.
        public enum Synchronous: Sendable, Hashable {
            /// `PRAGMA synchronous = NORMAL`: no fsync per commit; durable at checkpoint.
            case normal
            /// `PRAGMA synchronous = FULL`: one fsync per commit; durable on return.
            case full
        }
    }
}
