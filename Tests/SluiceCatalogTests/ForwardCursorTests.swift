import Dispatch
import GRDB
import Synchronization
import Testing

@testable import SluiceCatalog

@Suite("Forward cursors")
struct ForwardCursorTests {
    let sensors0 = TopicPartitionKey(topic: "sensors", partition: 0)
    let sensors1 = TopicPartitionKey(topic: "sensors", partition: 1)

    @Test("saved cursors survive a reopen, seen by a second Catalog on the same file")
    func survivesReopen() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try Catalog(path: dir.catalogPath)
        try writer.saveForwardCursors(upstream: "cloud", [sensors0: 100, sensors1: 7], nowMillis: 1_000)
        try writer.saveForwardCursors(upstream: "backup", [sensors0: 3], nowMillis: 1_000)

        // A second process-like opener while the first is still open (as `sluice status` would be).
        let reader = try Catalog(path: dir.catalogPath)
        #expect(try reader.forwardCursors(upstream: "cloud") == [sensors0: 100, sensors1: 7])
        try writer.close()
        try reader.close()

        let reopened = try Catalog(path: dir.catalogPath)
        #expect(try reopened.forwardCursors(upstream: "cloud") == [sensors0: 100, sensors1: 7])
        #expect(try reopened.forwardCursors(upstream: "backup") == [sensors0: 3])
        #expect(try reopened.forwardCursors(upstream: "unknown") == [:])
        #expect(
            try reopened.allForwardCursors().map { "\($0.upstream) \($0.key) \($0.nextOffset)" } == [
                "backup sensors-0 3", "cloud sensors-0 100", "cloud sensors-1 7",
            ])
    }

    @Test("a cursor never moves backwards, and a stale save keeps its updated_at")
    func neverBackwards() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let catalog = try Catalog(path: dir.catalogPath)
        try catalog.saveForwardCursors(upstream: "cloud", [sensors0: 100, sensors1: 50], nowMillis: 1_000)
        try catalog.saveForwardCursors(upstream: "cloud", [sensors0: 90, sensors1: 60], nowMillis: 2_000)

        #expect(try catalog.forwardCursors(upstream: "cloud") == [sensors0: 100, sensors1: 60])
        #expect(
            try catalog.allForwardCursors(upstream: "cloud") == [
                ForwardCursor(upstream: "cloud", topic: "sensors", partition: 0, nextOffset: 100, updatedAtMillis: 1_000),
                ForwardCursor(upstream: "cloud", topic: "sensors", partition: 1, nextOffset: 60, updatedAtMillis: 2_000),
            ])
    }

    @Test("an operator's reset moves a cursor backwards; later saves move it forward from there")
    func resetMovesBackwards() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let catalog = try Catalog(path: dir.catalogPath)
        try catalog.saveForwardCursors(upstream: "cloud", [sensors0: 100], nowMillis: 1_000)

        try catalog.resetForwardCursor(upstream: "cloud", sensors0, to: 10, nowMillis: 2_000)
        #expect(try catalog.forwardCursors(upstream: "cloud") == [sensors0: 10])
        try catalog.saveForwardCursors(upstream: "cloud", [sensors0: 20], nowMillis: 3_000)
        #expect(try catalog.forwardCursors(upstream: "cloud") == [sensors0: 20])

        // A reset of a partition never forwarded creates its cursor.
        try catalog.resetForwardCursor(upstream: "cloud", sensors1, to: 5, nowMillis: 4_000)
        #expect(try catalog.forwardCursors(upstream: "cloud") == [sensors0: 20, sensors1: 5])
    }

    @Test("1000 partitions' cursors saved in one call are 1000 row changes in one commit")
    func thousandCursorsOneTransaction() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let catalog = try Catalog(path: dir.catalogPath)
        let observer = CommitCounter()
        catalog.pool.add(transactionObserver: observer, extent: .databaseLifetime)
        let changesBefore = catalog.pool.writeWithoutTransaction { $0.totalChangesCount }

        let cursors = Dictionary(uniqueKeysWithValues: (0..<1000).map {
            (TopicPartitionKey(topic: "t\($0 % 10)", partition: $0 / 10), Int64($0) * 1000)
        })
        try catalog.saveForwardCursors(upstream: "cloud", cursors, nowMillis: 1)

        let changesAfter = catalog.pool.writeWithoutTransaction { $0.totalChangesCount }
        // sqlite3_total_changes on the writer connection counts rows inserted or updated; the
        // observer counts commits. (Per-row observer events do not fire for WITHOUT ROWID tables.)
        #expect(changesAfter - changesBefore == 1000)
        #expect(observer.commits.withLock { $0 } == 1)
        let rows = try catalog.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM forward_cursor") }
        #expect(rows == 1000)
        #expect(try catalog.forwardCursors(upstream: "cloud") == cursors)
    }

    @Test("time to save 1000 cursors (printed; inserts, then the steady state of updates)", arguments: [
        Catalog.Configuration.Synchronous.normal, .full,
    ])
    func thousandCursorsTiming(synchronous: Catalog.Configuration.Synchronous) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var configuration = Catalog.Configuration()
        configuration.synchronous = synchronous
        let catalog = try Catalog(path: dir.catalogPath, configuration: configuration)
        let keys = (0..<1000).map { TopicPartitionKey(topic: "t\($0 % 10)", partition: $0 / 10) }
        let clock = ContinuousClock()
        var durations: [Duration] = []
        for round in 0..<21 {
            let cursors = Dictionary(uniqueKeysWithValues: keys.map { ($0, Int64(round) * 10) })
            durations.append(try clock.measure {
                try catalog.saveForwardCursors(upstream: "cloud", cursors, nowMillis: Int64(round))
            })
        }
        let updates = durations.dropFirst().sorted()
        print(
            "saveForwardCursors(1000 cursors, synchronous \(synchronous)): insert \(durations[0]),",
            "update median \(updates[updates.count / 2]), min \(updates.first!)")
        #expect(try catalog.forwardCursors(upstream: "cloud").values.allSatisfy { $0 == 200 })
    }

    @Test("saves from many threads at once all land (writes are serialised)")
    func concurrentSaves() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let catalog = try Catalog(path: dir.catalogPath)
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 1...20 {
                let key = TopicPartitionKey(topic: "sensors", partition: thread)
                do {
                    try catalog.saveForwardCursors(upstream: "cloud", [key: Int64(round)], nowMillis: 1)
                    _ = try catalog.forwardCursors(upstream: "cloud")
                } catch {
                    failures.withLock { $0 += 1 }
                }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        let expected = Dictionary(uniqueKeysWithValues: (0..<8).map { (TopicPartitionKey(topic: "sensors", partition: $0), Int64(20)) })
        #expect(try catalog.forwardCursors(upstream: "cloud") == expected)
    }
}

/// Counts the transactions committed on the connection it observes.
final class CommitCounter: TransactionObserver, Sendable {
    let commits = Mutex(0)

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { commits.withLock { $0 += 1 } }
    func databaseDidRollback(_ db: Database) {}
}
