import SluiceJSON
import Glibc
import SluiceConfiguration
import Synchronization
import Testing

@testable import SluiceMQTT

/// `swift_allocObject`'s signature: metadata, size, alignment mask → object.
private typealias AllocObject = @convention(c) (UnsafeRawPointer?, Int, Int) -> UnsafeMutableRawPointer?

// Set once before the hook is installed and never cleared, so a thread that still calls the hook
// after it is removed finds it valid.
nonisolated(unsafe) private var originalAllocObject: AllocObject?
private let watchedThread = Atomic<UInt>(0)
private let allocations = Atomic<Int>(0)

private func countingAllocObject(_ metadata: UnsafeRawPointer?, _ size: Int, _ alignmentMask: Int) -> UnsafeMutableRawPointer? {
    if pthread_self() == watchedThread.load(ordering: .relaxed) { allocations.add(1, ordering: .relaxed) }
    return originalAllocObject!(metadata, size, alignmentMask)
}

/// The number of Swift heap objects (class instances, array and string storage, boxes) that
/// `body` allocates on this thread, counted through the runtime's instrumentation hook
/// `_swift_allocObject` (the one Instruments uses); `nil` where the runtime has no such hook.
///
/// The hook is switched on for the whole process, and on Linux the runtime's swizzled retain
/// path then crashes other threads now and then, so this only runs when asked for, alone:
/// `SLUICE_COUNT_ALLOCATIONS=1 swift test --filter ProfileMatcherAllocationTests`.
private func swiftAllocations(in body: () -> Void) -> Int? {
    guard let hook = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "_swift_allocObject"),
        let enable = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "_swift_enableSwizzlingOfAllocationAndRefCountingFunctions_forInstrumentsOnly")
    else { return nil }
    let slot = hook.assumingMemoryBound(to: AllocObject?.self)
    let isEnabled = enable.assumingMemoryBound(to: Bool.self)
    if originalAllocObject == nil { originalAllocObject = slot.pointee }
    watchedThread.store(UInt(pthread_self()), ordering: .relaxed)
    allocations.store(0, ordering: .relaxed)
    slot.pointee = countingAllocObject
    isEnabled.pointee = true
    body()
    isEnabled.pointee = false
    slot.pointee = originalAllocObject
    watchedThread.store(0, ordering: .relaxed)
    return allocations.load(ordering: .relaxed)
}

/// Whether this run counts allocations (see `swiftAllocations(in:)`).
private let isCountingAllocations = getenv("SLUICE_COUNT_ALLOCATIONS").map { String(cString: $0) == "1" } ?? false

/// Not a benchmark with thresholds and no output: the accept path run many times (a harness for
/// `perf`, `heaptrack` or valgrind), and with `SLUICE_COUNT_ALLOCATIONS=1` checked to allocate
/// no Swift object at all (device ids of up to 15 bytes are stored inline in their `String`).
@Suite("ProfileMatcher allocations", .serialized)
struct ProfileMatcherAllocationTests {
    static let matcher = ProfileMatcher(
        profiles: [
            DeviceProfile(
                name: "env", filter: pattern("sensors/{device}/env"), deviceID: .topicWildcard("device"), topic: "env",
                format: .json(JSONSchema(fields: [
                    JSONFieldRule(name: "temp", type: .number), JSONFieldRule(name: "hum", type: .integer),
                    JSONFieldRule(name: "unit", type: .string), JSONFieldRule(name: "tags", type: .array, isRequired: false),
                ])),
                timestamp: TimestampField(name: "ts", unit: .rfc3339)),
            DeviceProfile(
                name: "meter", filter: pattern("meters/+/reading"), deviceID: .payloadField("meter_id"), topic: "meters",
                format: .json(JSONSchema(fields: [JSONFieldRule(name: "kwh", type: .number)])),
                timestamp: TimestampField(name: "t", unit: .seconds)),
            DeviceProfile(
                name: "gps", filter: pattern("fleet/{vehicle}/gps"), deviceID: .topicWildcard("vehicle"), topic: "gps",
                format: .raw(minBytes: 8, maxBytes: 64)),
        ],
        maxPayloadBytes: 4096)

    @Test("the hook sees an allocation (control)")
    func control() throws {
        guard isCountingAllocations else { return }
        var sink: [Int] = []
        let count = try #require(swiftAllocations { sink = Array(0..<Int.random(in: 10...20)) })
        #expect(count >= 1)
        #expect(!sink.isEmpty)
    }

    @Test("accepting a message allocates nothing", arguments: [
        ("sensors/dev-0001/env", #"{"temp": 21.5, "hum": 40, "unit": "C", "tags": ["a", {"b": null}], "ts": "2026-11-25T09:30:00.250+01:00"}"#),
        ("meters/x/reading", #"{"meter_id": "m-\u00fc", "kwh": 1.5e3, "t": 1795595400.25}"#),
        ("fleet/truck-9/gps", "\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{9}"),
    ])
    func acceptPath(topic: String, payload: String) throws {
        let bytes = Array(payload.utf8)
        let matcher = Self.matcher  // initialized outside the counted loop
        var accepted = 0
        let loop = {
            bytes.withUnsafeBytes { payload in
                for _ in 0..<1_000 {
                    if case .accept = matcher.evaluate(topic: topic, payload: payload, arrivalMillis: 0) { accepted += 1 }
                }
            }
        }
        if isCountingAllocations {
            #expect(try #require(swiftAllocations(in: loop)) == 0)
        } else {
            loop()
        }
        #expect(accepted == 1_000)
    }
}
