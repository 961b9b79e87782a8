import Foundation
import Logging
import ServiceLifecycle
import SluiceCatalog
import SluiceConfiguration
import SluiceLog
import Synchronization

/// Store and forward: runs `ForwardLoop` on a dedicated thread (librdkafka's poll and flush
/// block) until graceful shutdown, which waits up to 5 s for records in flight and commits the
/// cursors.
public final class ForwardService: Service, Sendable {
    private let settings: UpstreamSettings
    private let gatewayID: String
    private let partitions: [Partition]
    private let catalog: Catalog
    private let deadLetters: Partition?
    /// What the forwarder did, per partition.
    public let statistics: ForwardStatistics
    private let logger: Logger

    /// Creates the service for the given local partitions.
    public init(
        settings: UpstreamSettings, gatewayID: String, partitions: [Partition], catalog: Catalog, deadLetters: Partition?,
        statistics: ForwardStatistics = ForwardStatistics(), logger: Logger
    ) {
        self.settings = settings
        self.gatewayID = gatewayID
        self.partitions = partitions
        self.catalog = catalog
        self.deadLetters = deadLetters
        self.statistics = statistics
        self.logger = logger
    }

    /// The librdkafka properties for these settings: ours first, the user's `properties` on top.
    public static func producerProperties(_ settings: UpstreamSettings, gatewayID: String) -> [String: String] {
        var properties: [String: String] = [
            "bootstrap.servers": settings.bootstrapServers,
            "client.id": "sluice-\(gatewayID)",
            "acks": settings.acks.rawValue,
            "enable.idempotence": settings.isIdempotent ? "true" : "false",
            "compression.type": settings.compression,
            "linger.ms": String(settings.linger.wholeMilliseconds),
            "batch.size": String(settings.batchBytes),
            // Same partition as Java clients for the same key: the device's records stay in order upstream.
            "partitioner": "murmur2_random",
            // Retry for as long as it takes: an outage of any length ends in delivery, in order, once.
            "message.timeout.ms": "0",
        ]
        properties.merge(settings.properties) { $1 }
        return properties
    }

    /// Creates the producer (an unknown or invalid property fails here) and forwards until shutdown.
    /// - Throws: `UpstreamError` for a configuration librdkafka refuses.
    public func run() async throws {
        let inbox = DeliveryInbox()
        let statistics = self.statistics
        // librdkafka retries client errors itself; they are counted by kind and logged at most
        // once a minute per kind (an unreachable cluster reports one every few seconds).
        let repeating = RateLimitedLogger(logger: logger)
        let producer = try RDKafkaProducer(
            properties: Self.producerProperties(settings, gatewayID: gatewayID), logger: logger,
            deliveryHandler: { inbox.add($0) },
            errorHandler: { kind, reason in
                statistics.noteError(kind: kind, "\(kind): \(reason)")
                repeating.warning(key: kind, "upstream error; librdkafka retries", metadata: ["upstream.kind": "\(kind)", "upstream.error": "\(reason)"])
            })
        let stopFlag = ForwardStopFlag()
        let loop = try ForwardLoop(
            settings: settings, gatewayID: gatewayID, partitions: partitions, catalog: catalog, producer: producer,
            reports: inbox, statistics: statistics, deadLetters: deadLetters, isStopping: { stopFlag.isSet }, logger: logger)
        let handOver = ForwardHandOver(loop)
        logger.info("forwarding upstream", metadata: [
            "upstream.name": "\(settings.name)", "upstream.bootstrap": "\(settings.bootstrapServers)",
            "upstream.acks": "\(settings.acks.rawValue)", "upstream.partitions": "\(partitions.count)",
        ])
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    handOver.take().run()
                    continuation.resume()
                }
                thread.name = "sluice-forward"
                thread.start()
            }
        } onGracefulShutdown: {
            stopFlag.set()
        }
    }
}

/// A flag set once from any thread.
final class ForwardStopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}

/// Moves the non-Sendable loop to its thread exactly once.
/// `@unchecked Sendable`: created by `run()` and then only used by the forward thread, which takes it once.
private final class ForwardHandOver: @unchecked Sendable {
    private var loop: ForwardLoop?
    init(_ loop: ForwardLoop) { self.loop = loop }
    func take() -> ForwardLoop {
        defer { loop = nil }
        return loop!
    }
}
