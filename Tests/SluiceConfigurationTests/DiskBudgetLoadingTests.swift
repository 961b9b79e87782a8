import SluiceLog
import Testing

@testable import SluiceConfiguration

@Suite("The storage section (disk budget)")
struct DiskBudgetLoadingTests {
    @Test("defaults: no size limit, 64 MiB kept free, block")
    func defaults() throws {
        let storage = try loadConfiguration("devices_dir: devices\n").storage
        #expect(storage == DiskBudget(maxBytes: nil, minFreeBytes: 64 << 20, policy: .block))
    }

    @Test("every key")
    func full() throws {
        let storage = try loadConfiguration("devices_dir: devices\nstorage: { max_bytes: 4GiB, min_free_bytes: null, on_full: drop-oldest }\n").storage
        #expect(storage == DiskBudget(maxBytes: 4 << 30, minFreeBytes: nil, policy: .dropOldest))
    }

    @Test("misconfiguration names the line and the fix", arguments: [
        ("storage: { on_full: drop }\n", "drop-oldest"),
        ("storage: { max_bytes: 10KiB }\n", "at least 1MiB"),
        ("storage: { max_bytes: lots }\n", "max_bytes"),
        ("storage: { max_size: 1GiB }\n", "max_size"),
        // 2 profiles' topics of 3 partitions + 1 dead-letter partition, 16 MiB segments: 112 MiB active.
        ("storage: { max_bytes: 200MiB }\n", "raise max_bytes to at least 224MiB"),
    ])
    func misconfiguration(yaml: String, expected: String) {
        let errors = configurationErrors("devices_dir: devices\n" + yaml)
        #expect(errors.contains { $0.description.contains(expected) && $0.line != nil }, "\(errors)")
    }

    @Test("a budget twice the active segments is accepted")
    func enoughForActiveSegments() throws {
        #expect(try loadConfiguration("devices_dir: devices\nstorage: { max_bytes: 224MiB }\n").storage.maxBytes == 224 << 20)
    }
}
