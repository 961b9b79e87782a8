import Testing

@testable import SluiceCatalog

@Suite("Consumer-group offsets")
struct ConsumerOffsetTests {
    let sensors0 = TopicPartitionKey(topic: "sensors", partition: 0)
    let sensors1 = TopicPartitionKey(topic: "sensors", partition: 1)

    @Test("committed offsets are fetched back per group, with metadata and commit time")
    func commitAndFetch() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let catalog = try Catalog(path: dir.catalogPath)
        try catalog.commitOffsets(
            group: "dashboard", [sensors0: (offset: 10, metadata: "m0"), sensors1: (offset: 20, metadata: nil)],
            nowMillis: 5_000)
        try catalog.commitOffsets(group: "archiver", [sensors0: (offset: 1, metadata: nil)], nowMillis: 6_000)

        #expect(
            try catalog.committedOffsets(group: "dashboard") == [
                sensors0: ConsumerOffset(
                    groupID: "dashboard", topic: "sensors", partition: 0, committedOffset: 10, metadata: "m0",
                    committedAtMillis: 5_000),
                sensors1: ConsumerOffset(
                    groupID: "dashboard", topic: "sensors", partition: 1, committedOffset: 20, committedAtMillis: 5_000),
            ])
        #expect(try catalog.committedOffsets(group: "archiver")[sensors0]?.committedOffset == 1)
        #expect(try catalog.committedOffsets(group: "nobody") == [:])
        #expect(try catalog.groups() == ["archiver", "dashboard"])
    }

    @Test("a commit replaces the stored offset, backwards included, and keeps the leader epoch it was given")
    func commitReplaces() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let catalog = try Catalog(path: dir.catalogPath)
        try catalog.commitOffsets(
            group: "g", [sensors0: (offset: 100, leaderEpoch: 3, metadata: "first")], nowMillis: 1)
        #expect(try catalog.committedOffsets(group: "g")[sensors0]?.leaderEpoch == 3)

        try catalog.commitOffsets(group: "g", [sensors0: (offset: 40, metadata: nil)], nowMillis: 2)
        let offset = try #require(try catalog.committedOffsets(group: "g")[sensors0])
        #expect(offset.committedOffset == 40)
        #expect(offset.leaderEpoch == nil)
        #expect(offset.metadata == nil)
        #expect(offset.committedAtMillis == 2)
    }

    @Test("deleting a group removes its offsets only and reports how many")
    func deleteGroup() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let catalog = try Catalog(path: dir.catalogPath)
        try catalog.commitOffsets(
            group: "old", [sensors0: (offset: 1, metadata: nil), sensors1: (offset: 2, metadata: nil)], nowMillis: 1)
        try catalog.commitOffsets(group: "kept", [sensors0: (offset: 3, metadata: nil)], nowMillis: 1)

        #expect(try catalog.deleteGroup("old") == 2)
        #expect(try catalog.deleteGroup("old") == 0)
        #expect(try catalog.groups() == ["kept"])
        #expect(try catalog.committedOffsets(group: "old") == [:])
        #expect(try catalog.committedOffsets(group: "kept")[sensors0]?.committedOffset == 3)
    }

    @Test("committed offsets survive a reopen")
    func survivesReopen() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        do {
            let catalog = try Catalog(path: dir.catalogPath)
            try catalog.commitOffsets(group: "g", [sensors1: (offset: 77, metadata: "x")], nowMillis: 9)
        }
        let reopened = try Catalog(path: dir.catalogPath)
        #expect(try reopened.committedOffsets(group: "g")[sensors1]?.committedOffset == 77)
    }
}
