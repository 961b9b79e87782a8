import Foundation
import Logging
import SluiceTestKit
import SluiceUpstream
import Synchronization
import Testing

/// `RDKafkaProducer` against a real tansu broker (and against nothing at all): what is produced
/// arrives exactly once, in key order, with its headers and timestamps; failures come back as
/// values, never as hangs.
///
/// Tests that talk to tansu need the wheel's librdkafka (≥ 2.16) loaded into the test process:
/// run `LD_LIBRARY_PATH=$(scripts/librdkafka-path.sh) swift test`, as `make test` does.
@Suite struct RDKafkaProducerTests {
    @Test func theLoadedLibrdkafkaCanTalkToTansu() throws {
        try requireTansuCapableLibrdkafka()
    }

    @Test func deliversTenThousandKeyedRecordsExactlyOnceInKeyOrderWithHeadersAndTimestamps() async throws {
        try requireTansuCapableLibrdkafka()
        let broker = try TansuBroker()
        defer { broker.stop() }
        let reports = DeliveryCollector()
        let producer = try RDKafkaProducer(
            properties: [
                "bootstrap.servers": broker.bootstrapServers, "acks": "all", "enable.idempotence": "true",
                "compression.type": "lz4", "linger.ms": "5", "partitioner": "murmur2_random",
            ],
            logger: Logger(label: "test.rdkafka"), deliveryHandler: reports.add)
        let poller = PollingThread(producer)
        defer { poller.stop() }

        let topic = "telemetry"
        let deviceCount = 100
        let recordCount = 10_000
        let baseTimestamp: Int64 = 1_700_000_000_000
        for index in 0..<recordCount {
            let device = "device-\(index % deviceCount)"
            let sequence = index / deviceCount
            let key = Array(device.utf8)
            let value = Array("\(device)#\(sequence)".utf8)
            let headers = [("device", Array(device.utf8)), ("sequence", Array(String(sequence).utf8))]
            try await produceRetryingWhileFull {
                try key.withUnsafeBytes { key in
                    try value.withUnsafeBytes { value in
                        try producer.produce(
                            topic: topic, partition: nil, key: key, value: value, headers: headers,
                            timestampMillis: baseTimestamp + Int64(index), correlation: UInt64(index))
                    }
                }
            }
        }

        try await waitUntil(timeout: .seconds(60)) { reports.count >= recordCount }
        let delivered = reports.all
        #expect(delivered.count == recordCount)
        #expect(delivered.filter { !$0.isDelivered }.isEmpty, "failed: \(delivered.compactMap(\.error).prefix(3))")
        #expect(Set(delivered.map(\.correlation)) == Set((0..<recordCount).map(UInt64.init)))

        let records = try KafkaReader.readTopic(topic, bootstrapServers: broker.bootstrapServers, expectedCount: recordCount)
        #expect(records.count == recordCount)
        let values = records.compactMap(\.valueString)
        #expect(Set(values).count == recordCount, "every record exactly once")

        // Per key: one partition, sequences 0, 1, 2… in offset order.
        let byDevice = Dictionary(grouping: records) { $0.keyString ?? "" }
        #expect(byDevice.count == deviceCount)
        for (device, deviceRecords) in byDevice {
            #expect(Set(deviceRecords.map(\.partition)).count == 1, "\(device) spread over partitions")
            let sequences = deviceRecords.sorted { $0.offset < $1.offset }.compactMap { $0.header("sequence").flatMap(Int.init) }
            #expect(sequences == Array(0..<(recordCount / deviceCount)), "\(device) out of order")
        }
        #expect(Set(records.map(\.partition)).count > 1, "keys should spread over the topic's partitions")

        // Headers and timestamps as produced.
        for record in records {
            let device = try #require(record.keyString)
            let sequence = try #require(record.header("sequence").flatMap(Int.init))
            let index = sequence * deviceCount + Int(device.dropFirst("device-".count))!
            #expect(record.headers.map(\.name) == ["device", "sequence"])
            #expect(record.header("device") == device)
            #expect(record.valueString == "\(device)#\(sequence)")
            #expect(record.timestampMillis == baseTimestamp + Int64(index))
        }

        // Delivery reports name where each record landed.
        let landed = Dictionary(uniqueKeysWithValues: records.map { ("\($0.partition)/\($0.offset)", $0.valueString ?? "") })
        let misplaced = delivered.filter { report in
            let index = Int(report.correlation)
            let expected = "device-\(index % deviceCount)#\(index / deviceCount)"
            return landed["\(report.partition)/\(report.offset)"] != expected
        }
        #expect(misplaced.isEmpty, "reports not matching the broker: \(misplaced.prefix(3))")
    }

    @Test func nullAndEmptyKeysValuesAndHeadersStayDistinct() async throws {
        try requireTansuCapableLibrdkafka()
        let broker = try TansuBroker()
        defer { broker.stop() }
        let reports = DeliveryCollector()
        let producer = try RDKafkaProducer(
            properties: ["bootstrap.servers": broker.bootstrapServers, "acks": "all", "enable.idempotence": "true"],
            logger: Logger(label: "test.rdkafka"), deliveryHandler: reports.add)
        let poller = PollingThread(producer)
        defer { poller.stop() }

        let empty: [UInt8] = []
        try producer.produce(
            topic: "edges", partition: 0, key: nil, value: nil, headers: [("empty", [])],
            timestampMillis: 1_000, correlation: 0)
        try empty.withUnsafeBytes { nothing in
            try producer.produce(
                topic: "edges", partition: 0, key: nothing, value: nothing, headers: [],
                timestampMillis: 2_000, correlation: 1)
        }
        try await waitUntil(timeout: .seconds(30)) { reports.count >= 2 }
        #expect(reports.all.allSatisfy { $0.isDelivered }, "\(reports.all)")

        let records = try KafkaReader.readTopic("edges", bootstrapServers: broker.bootstrapServers, expectedCount: 2)
        try #require(records.count == 2)
        #expect(records.allSatisfy { $0.partition == 0 })
        let first = records[0]
        let second = records[1]
        #expect(first.key == nil && first.value == nil)
        #expect(first.headers == [KafkaReader.Header(name: "empty", value: [])])
        #expect(second.key == [] && second.value == [])
        #expect(second.headers.isEmpty)
        #expect(records.map(\.timestampMillis) == [1_000, 2_000])
    }

    @Test(arguments: [
        ("no.such.property", "1", "is not a librdkafka property"),
        ("acks", "sometimes", "has an invalid value"),
    ])
    func aRejectedPropertyFailsAtInitNamingIt(name: String, value: String, complaint: String) {
        let error = #expect(throws: UpstreamError.self) {
            try RDKafkaProducer(
                properties: ["bootstrap.servers": "127.0.0.1:1", name: value],
                logger: Logger(label: "test.rdkafka"), deliveryHandler: { _ in })
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("'\(name)' \(complaint)") == true, "\(String(describing: error))")
    }

    @Test func anUnreachableBrokerYieldsFailedDeliveryReportsAndLogsThroughTheLogger() async throws {
        let logs = CapturedLogs()
        let reports = DeliveryCollector()
        let producer = try RDKafkaProducer(
            properties: ["bootstrap.servers": "127.0.0.1:1", "message.timeout.ms": "2000"],
            logger: Logger(label: "test.rdkafka") { _ in logs }, deliveryHandler: reports.add)
        let poller = PollingThread(producer)
        defer { poller.stop() }

        for index in 0..<20 {
            try Array("reading \(index)".utf8).withUnsafeBytes { value in
                try producer.produce(
                    topic: "nowhere", partition: nil, key: nil, value: value, headers: [],
                    timestampMillis: 0, correlation: UInt64(index))
            }
        }
        // Bounded: failing reports arrive after message.timeout.ms instead of a hang (no timing asserted).
        try await waitUntil(timeout: .seconds(60)) { reports.count >= 20 }
        let failed = reports.all
        #expect(Set(failed.map(\.correlation)) == Set(0..<20))
        for report in failed {
            let error = try #require(report.error)
            #expect(error.code == .deliveryFailed)
            #expect(error.cause?.name == "_MSG_TIMED_OUT")
            #expect(error.isRetriable && !error.isFatal)
        }
        #expect(producer.fatalError == nil)
        #expect(producer.outQueueLength == 0)
        #expect(logs.entries.contains { $0.metadata["rdkafka.facility"] != nil }, "librdkafka's lines reach the Logger")
    }

    @Test func aFullQueueIsReportedAsRetriableUntilReportsAreServed() throws {
        let reports = DeliveryCollector()
        var producer: RDKafkaProducer? = try RDKafkaProducer(
            properties: [
                "bootstrap.servers": "127.0.0.1:1", "queue.buffering.max.messages": "5", "message.timeout.ms": "300",
            ],
            logger: Logger(label: "test.rdkafka") { _ in SwiftLogNoOpLogHandler() }, deliveryHandler: reports.add)
        func produce(_ correlation: UInt64) throws(UpstreamError) {
            try producer!.produce(
                topic: "full", partition: nil, key: nil, value: nil, headers: [], timestampMillis: 0,
                correlation: correlation)
        }
        for correlation in 0..<5 { try produce(UInt64(correlation)) }
        let error = #expect(throws: UpstreamError.self) { try produce(5) }
        #expect(error?.code == .queueFull)
        #expect(error?.isRetriable == true)
        #expect(error?.cause?.name == "_QUEUE_FULL")

        // Serving the (failed) reports frees the queue; the test may block: it owns this thread.
        #expect(producer!.flush(timeout: .seconds(5)) == 0)
        #expect(reports.count == 5)
        try produce(5)

        // Dropping a producer with a queued record does not flush it.
        producer = nil
        #expect(reports.count == 5, "a destroyed producer reports nothing more")
    }
}

/// Fails the test unless the loaded librdkafka is new enough for tansu (Debian's 2.0.2 is not).
private func requireTansuCapableLibrdkafka() throws {
    let version = RDKafkaProducer.librdkafkaVersion
    let parts = version.split(separator: ".").prefix(2).compactMap { Int($0) }
    try #require(
        parts.count == 2 && (parts[0], parts[1]) >= (2, 16),
        """
        librdkafka \(version) is loaded, tansu needs the confluent-kafka wheel's 2.16: run \
        `LD_LIBRARY_PATH=$(scripts/librdkafka-path.sh) swift test` (make test does)
        """)
}

/// Runs `body` (a produce) again while it fails with `.queueFull`, giving the polling thread time.
private func produceRetryingWhileFull(_ body: () throws -> Void) async throws {
    while true {
        do {
            return try body()
        } catch let error as UpstreamError where error.code == .queueFull {
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// Waits (without blocking a thread) until `condition` holds; fails the test after `timeout`.
private func waitUntil(timeout: Duration, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        try #require(ContinuousClock.now < deadline, "timed out after \(timeout)")
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Delivery reports as the polling thread hands them over.
private final class DeliveryCollector: Sendable {
    private let reports = Mutex<[DeliveryReport]>([])
    func add(_ report: DeliveryReport) { reports.withLock { $0.append(report) } }
    var count: Int { reports.withLock { $0.count } }
    var all: [DeliveryReport] { reports.withLock { $0 } }
}

/// Serves a producer's delivery reports on a dedicated thread (as the forwarder does), until stopped.
private final class PollingThread: Sendable {
    private let isStopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(_ producer: RDKafkaProducer) {
        Thread.detachNewThread { [self] in
            while !isStopping.load(ordering: .relaxed) { producer.poll(timeoutMilliseconds: 50) }
            finished.signal()
        }
    }

    /// Stops polling and waits for the thread to end (at most one poll timeout).
    func stop() {
        isStopping.store(true, ordering: .relaxed)
        finished.wait()
    }
}

/// A log handler that keeps what it receives, to check where librdkafka's lines go.
private final class CapturedLogs: LogHandler, @unchecked Sendable {
    // @unchecked Sendable: `entries` is behind a Mutex; metadata and logLevel are set only
    // while the Logger is built, before librdkafka's threads exist.
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let stored = Mutex<[Entry]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var entries: [Entry] { stored.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        stored.withLock { $0.append(Entry(level: event.level, message: "\(event.message)", metadata: event.metadata ?? [:])) }
    }
}
