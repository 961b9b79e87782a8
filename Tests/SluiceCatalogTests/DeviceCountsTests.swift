import Testing

@testable import SluiceCatalog

@Suite("Device counts and quiet devices for the status page")
struct DeviceCountsTests {
    @Test("known, seen since and quiet since are counted in one read; the quiet list is bounded, longest silent first")
    func counts() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let catalog = try Catalog(path: dir.catalogPath)
        #expect(try catalog.deviceCounts(seenSince: 0, notSeenSince: 0) == (known: 0, seen: 0, quiet: 0))
        try catalog.recordDeviceActivity((0..<10).map {
            DeviceActivity(deviceID: "d\($0)", profile: "env", topic: "t", messageCount: 1, firstSeenMillis: Int64($0) * 100, lastSeenMillis: Int64($0) * 100)
        })
        let counts = try catalog.deviceCounts(seenSince: 700, notSeenSince: 300)
        #expect(counts == (known: 10, seen: 3, quiet: 3))
        #expect(try catalog.quietDevices(notSeenSince: 300, limit: 2).map(\.deviceID) == ["d0", "d1"])
    }
}
