import Foundation
import Logging
import ServiceLifecycle
import SluiceCatalog
import SluiceConfiguration
import SluiceLog
import SluiceTestKit
import Testing

@testable import SluiceUpstream

/// The forwarder against a real Kafka-protocol broker (tansu), read back with confluent-kafka.
@Suite("Forwarding upstream to tansu", .serialized)
struct ForwardServiceTests {
    struct Setup {
        let broker: TansuBroker
        let directory: String
        let log: LogManager
        let partitions: [Partition]
        let catalog: Catalog

        init(partitions count: Int = 4, behindProxy: Bool = false) throws {
            broker = try TansuBroker(behindProxy: behindProxy)
            directory = TestEnvironment.temporaryDirectory("sluice-forward")
            log = try LogManager(directory: directory + "/data")
            var configuration = TopicConfiguration(partitionCount: count)
            configuration.fsync = .never
            partitions = try log.openTopic("telemetry", configuration: configuration)
            catalog = try Catalog(path: directory + "/catalog.sqlite")
        }

        /// Appends `count` records from `keys` devices: record n is device n % keys, seq n, in
        /// the device's murmur2 partition, in bursts of 500.
        func append(_ range: Range<Int>, keys: Int) throws {
            var bursts = Array(repeating: [Record](), count: partitions.count)
            for sequence in range {
                let device = "dev-\(sequence % keys)"
                let key = Array(device.utf8)
                let partition = KeyPartitioner.partition(forKey: key, partitionCount: partitions.count)
                bursts[partition].append(Record(
                    timestamp: 1_700_000_000_000 + Int64(sequence), key: key,
                    value: Array(#"{"device":"\#(device)","seq":\#(sequence),"temp":21.5,"hum":40.25,"battery":3.71,"pad":"0123456789abcdef"}"#.utf8)))
                if bursts[partition].count == 500 {
                    try partitions[partition].append(bursts[partition])
                    bursts[partition].removeAll()
                }
            }
            for (index, burst) in bursts.enumerated() where !burst.isEmpty { try partitions[index].append(burst) }
        }

        func settings(acks: UpstreamAcks, bootstrap: String? = nil) -> UpstreamSettings {
            var settings = UpstreamSettings()
            settings.bootstrapServers = bootstrap ?? broker.bootstrapServers
            settings.acks = acks
            settings.isIdempotent = acks == .all
            settings.topicPrefix = "gw."
            settings.cursorCommitInterval = .milliseconds(200)
            return settings
        }

        func remove() {
            broker.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Runs the forwarder while `during` runs, then until `until` holds (bounded), then shuts it
    /// down gracefully.
    static func forward(
        _ setup: Setup, settings: UpstreamSettings, statistics: ForwardStatistics,
        during: @escaping @Sendable () async throws -> Void = {}, until: @escaping @Sendable () -> Bool
    ) async throws {
        let service = ForwardService(
            settings: settings, gatewayID: "gw-test", partitions: setup.partitions, catalog: setup.catalog, deadLetters: nil,
            statistics: statistics, logger: Logger(label: "test"))
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await during()
            let deadline = ContinuousClock.now + .seconds(180)
            while !until() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("a 30 s outage mid-stream (connections dropped and refused): nothing lost or duplicated, order kept, backlog drained")
    func outage() async throws {
        let setup = try Setup(behindProxy: true)
        defer { setup.remove() }
        let proxyPort = setup.broker.port
        let proxy = try TCPProxy(listenPort: proxyPort, targetHost: "127.0.0.2", targetPort: proxyPort)
        defer { proxy.stop() }
        try setup.append(0..<60_000, keys: 1000)
        let statistics = ForwardStatistics()
        var settings = setup.settings(acks: .all, bootstrap: "127.0.0.1:\(proxyPort)")
        settings.properties["reconnect.backoff.max.ms"] = "1000"
        try await Self.forward(setup, settings: settings, statistics: statistics, during: {
            let deadline = ContinuousClock.now + .seconds(120)
            while statistics.delivered < 20_000 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            proxy.interrupt()
            let deliveredAtOutage = statistics.delivered
            try setup.append(60_000..<100_000, keys: 1000)  // ingest goes on during the outage
            try await Task.sleep(for: .seconds(30))
            #expect(statistics.delivered - deliveredAtOutage < 5_000, "little can be delivered while upstream is unreachable")
            proxy.resume()
        }, until: { statistics.delivered >= 100_000 })
        #expect(statistics.delivered == 100_000)
        #expect(statistics.failed == 0)
        let records = try KafkaReader.readTopic("gw.telemetry", bootstrapServers: "127.0.0.1:\(proxyPort)", expectedCount: 100_000, timeout: .seconds(120))
        Self.verify(records, range: 0..<100_000)
    }

    /// Checks upstream holds every seq in `range` exactly once, per-key in order, with origin headers.
    static func verify(_ records: [KafkaReader.Record], range: Range<Int>) {
        var seen: [Int: Int] = [:]
        var lastByKey: [String: Int] = [:]
        var outOfOrder = 0
        for record in records {
            guard let value = record.valueString, let seqRange = value.range(of: #""seq":"#),
                let sequence = Int(value[seqRange.upperBound...].prefix { $0.isNumber }), let key = record.keyString
            else { continue }
            seen[sequence, default: 0] += 1
            if let last = lastByKey[key], last >= sequence { outOfOrder += 1 }
            lastByKey[key] = sequence
        }
        let missing = range.filter { seen[$0] == nil }.count
        let duplicates = seen.values.reduce(0) { $0 + $1 - 1 }
        #expect(missing == 0, "records missing upstream")
        #expect(duplicates == 0, "records duplicated upstream")
        #expect(outOfOrder == 0, "per-key order upstream")
        #expect(records.first?.header("sluice.gateway") == "gw-test")
        #expect(records.first?.header("sluice.topic") == "telemetry")
    }

    @Test("200k records from 1000 keys, acks=1 and acks=all: each upstream once, per-key order kept", arguments: [UpstreamAcks.leader, .all])
    func forwardsEverything(acks: UpstreamAcks) async throws {
        let setup = try Setup()
        defer { setup.remove() }
        let total = 200_000
        try setup.append(0..<total, keys: 1000)
        let statistics = ForwardStatistics()
        try await Self.forward(setup, settings: setup.settings(acks: acks), statistics: statistics) { statistics.delivered >= total }
        #expect(statistics.delivered == total)
        #expect(statistics.failed == 0)
        // The cursors were committed: every partition forwarded up to its end.
        let cursors = try setup.catalog.forwardCursors(upstream: "upstream")
        for partition in setup.partitions {
            #expect(cursors[TopicPartitionKey(topic: "telemetry", partition: partition.index)] == partition.highWatermark)
        }
        let records = try KafkaReader.readTopic("gw.telemetry", bootstrapServers: setup.broker.bootstrapServers, expectedCount: total, timeout: .seconds(120))
        Self.verify(records, range: 0..<total)
    }

    @Test("a restart resumes from the committed cursors: nothing is sent twice")
    func resumes() async throws {
        let setup = try Setup()
        defer { setup.remove() }
        try setup.append(0..<20_000, keys: 100)
        let first = ForwardStatistics()
        try await Self.forward(setup, settings: setup.settings(acks: .all), statistics: first) { first.delivered >= 20_000 }
        try setup.append(20_000..<30_000, keys: 100)
        let second = ForwardStatistics()
        try await Self.forward(setup, settings: setup.settings(acks: .all), statistics: second) { second.delivered >= 10_000 }
        #expect(second.produced == 10_000, "only the new records are produced after a restart")
        let records = try KafkaReader.readTopic("gw.telemetry", bootstrapServers: setup.broker.bootstrapServers, expectedCount: 30_000)
        Self.verify(records, range: 0..<30_000)
    }

    @Test("an unknown librdkafka property fails at start, naming it")
    func unknownProperty() async throws {
        var settings = UpstreamSettings()
        settings.bootstrapServers = "127.0.0.1:9"
        settings.properties["no.such.property"] = "1"
        let error = #expect(throws: UpstreamError.self) {
            _ = try RDKafkaProducer(properties: ForwardService.producerProperties(settings, gatewayID: "gw"), logger: Logger(label: "test"), deliveryHandler: { _ in })
        }
        #expect(error?.description.contains("no.such.property") == true)
    }
}

@Suite("Records upstream refuses for good", .serialized)
struct UnrecoverableRecordTests {
    /// 100 small records, then one too large for `message.max.bytes`, then 100 small ones.
    static func run(policy: UnrecoverablePolicy) async throws -> (ForwardStatistics, ForwardServiceTests.Setup) {
        let setup = try ForwardServiceTests.Setup(partitions: 1)
        try setup.partitions[0].append(telemetry(0..<100))
        try setup.partitions[0].append([Record(timestamp: 1_700_000_000_000, key: Array("dev-big".utf8), value: [UInt8](repeating: 0x41, count: 20_000))])
        try setup.partitions[0].append(telemetry(101..<201))
        var settings = setup.settings(acks: .all)
        settings.onUnrecoverable = policy
        settings.properties["message.max.bytes"] = "10000"
        let statistics = ForwardStatistics()
        try await ForwardServiceTests.forward(setup, settings: settings, statistics: statistics) {
            statistics.failed >= 1 && statistics.delivered >= (policy == .skip ? 200 : 100)
        }
        return (statistics, setup)
    }

    static func telemetry(_ range: Range<Int>) -> [Record] {
        range.map { Record(timestamp: 1_700_000_000_000 + Int64($0), key: Array("dev-\($0 % 10)".utf8), value: Array(#"{"seq":\#($0)}"#.utf8)) }
    }

    @Test("halt: forwarding of the partition stops at the refused record; nothing after it is sent")
    func halt() async throws {
        let (statistics, setup) = try await Self.run(policy: .halt)
        defer { setup.remove() }
        #expect(statistics.failed == 1)
        let state = try #require(statistics.partitions["telemetry-0"])
        #expect(state.isHalted)
        #expect(state.cursor == 100, "the cursor stays on the refused record")
        #expect(statistics.delivered == 100)
        #expect(statistics.lastError?.contains("offset 100") == true)
    }

    @Test("skip: the refused record is counted and logged, the rest goes on")
    func skip() async throws {
        let (statistics, setup) = try await Self.run(policy: .skip)
        defer { setup.remove() }
        #expect(statistics.failed == 1 && statistics.skipped == 1)
        #expect(statistics.delivered == 200)
        #expect(statistics.partitions["telemetry-0"]?.cursor == 201)
    }
}
