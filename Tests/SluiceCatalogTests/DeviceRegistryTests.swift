import Testing

@testable import SluiceCatalog

@Suite("Device registry")
struct DeviceRegistryTests {
    func activity(_ id: String, count: Int64, from first: Int64, to last: Int64, profile: String? = "env")
        -> DeviceActivity
    {
        DeviceActivity(
            deviceID: id, profile: profile, topic: profile.map { _ in "sensors" }, messageCount: count,
            firstSeenMillis: first, lastSeenMillis: last)
    }

    @Test("activity aggregates across calls: counts add up, first_seen keeps the earliest, last_seen the latest")
    func aggregatesAcrossCalls() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let catalog = try Catalog(path: dir.catalogPath)
        try catalog.recordDeviceActivity([activity("a", count: 5, from: 1_000, to: 2_000), activity("b", count: 1, from: 1_500, to: 1_500)])
        try catalog.recordDeviceActivity([activity("a", count: 7, from: 3_000, to: 4_000)])
        // A late summary (older window) must not move last_seen back; nil profile keeps the stored one.
        try catalog.recordDeviceActivity([activity("a", count: 2, from: 500, to: 900, profile: nil)])

        #expect(
            try catalog.device("a")
                == DeviceRecord(
                    deviceID: "a", profile: "env", topic: "sensors", firstSeenMillis: 500, lastSeenMillis: 4_000,
                    messageCount: 14))
        #expect(try catalog.device("b")?.messageCount == 1)
        #expect(try catalog.device("never-seen") == nil)
    }

    @Test("the same device twice in one batch is counted twice")
    func duplicateInOneBatch() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let catalog = try Catalog(path: dir.catalogPath)
        try catalog.recordDeviceActivity([activity("a", count: 3, from: 10, to: 20), activity("a", count: 4, from: 30, to: 40)])
        #expect(try catalog.device("a")?.messageCount == 7)
        #expect(try catalog.device("a")?.lastSeenMillis == 40)
    }

    @Test("devices(seenSince:) and quietDevices(notSeenSince:) split the registry at a time")
    func seenAndQuiet() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let catalog = try Catalog(path: dir.catalogPath)
        try catalog.recordDeviceActivity([
            activity("fresh", count: 1, from: 9_000, to: 9_000),
            activity("edge", count: 1, from: 5_000, to: 5_000),
            activity("stale", count: 1, from: 1_000, to: 2_000),
            activity("dead", count: 1, from: 100, to: 100),
        ])

        #expect(try catalog.devices(seenSince: 5_000).map(\.deviceID) == ["edge", "fresh"])
        #expect(try catalog.quietDevices(notSeenSince: 5_000).map(\.deviceID) == ["dead", "stale"])
        #expect(try catalog.devices(seenSince: 0).count == 4)
    }
}
