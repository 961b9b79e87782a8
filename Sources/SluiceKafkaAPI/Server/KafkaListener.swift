import Logging
import SluiceLog
import SluiceCatalog
import NIOCore
import NIOPosix
import ServiceLifecycle
import SluiceConfiguration
import Synchronization

/// The Kafka-protocol listener: accepts client connections on swift-nio and answers each
/// connection's requests in order, one at a time (as a Kafka broker does), through a
/// ``KafkaBroker``.
///
/// Limits protect the gateway's memory: `max_connections` (more are closed at accept),
/// `max_request_bytes` (a larger frame closes its connection before it is buffered),
/// `max_in_flight_requests` (past it the socket is not read until requests are answered) and
/// `max_queued_request_bytes` (the bytes of requests held across all connections; a frame that
/// does not fit waits unread, see ``RequestMemoryPool``). A request that cannot be decoded closes
/// its own connection only, with a log line saying why.
public final class KafkaListener: Service, Sendable {
    private typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// An accepted connection and its share of the request memory.
    private struct AcceptedConnection: Sendable {
        var channel: Connection
        var memory: RequestMemoryGate.Handle
    }

    private let broker: KafkaBroker
    private let settings: KafkaListenerSettings
    private let logger: Logger
    private let eventLoops: MultiThreadedEventLoopGroup
    private let server: NIOAsyncChannel<AcceptedConnection, Never>
    private let requestMemory: RequestMemoryPool
    private let openConnections = Atomic<Int>(0)
    /// The bound port (the configured one, or the one the system chose for port 0).
    public let port: Int

    private init(
        broker: KafkaBroker, settings: KafkaListenerSettings, logger: Logger, eventLoops: MultiThreadedEventLoopGroup,
        server: NIOAsyncChannel<AcceptedConnection, Never>, requestMemory: RequestMemoryPool
    ) {
        self.broker = broker
        self.settings = settings
        self.logger = logger
        self.eventLoops = eventLoops
        self.server = server
        self.requestMemory = requestMemory
        self.port = server.channel.localAddress?.port ?? settings.port
        broker.boundPort.store(port, ordering: .relaxed)
    }

    /// Binds the listener's address, so a taken port fails `sluice run` at start, before MQTT.
    /// - Parameters:
    ///   - broker: answers the requests.
    ///   - settings: address and limits.
    /// - Throws: ``KafkaListenerError`` naming the address and what to change.
    public static func bind(broker: KafkaBroker, settings: KafkaListenerSettings, logger: Logger) async throws(KafkaListenerError) -> KafkaListener {
        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let maxFrameBytes = settings.maxRequestBytes
        let highWatermark = settings.maxInFlightRequests
        let requestMemory = RequestMemoryPool(capacity: settings.maxQueuedRequestBytes)
        do {
            let server = try await ServerBootstrap(group: eventLoops)
                .serverChannelOption(ChannelOptions.backlog, value: 128)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
                .bind(host: settings.host, port: settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let gate = RequestMemoryGate(pool: requestMemory)
                        try channel.pipeline.syncOperations.addHandler(gate)
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: maxFrameBytes, gate: gate)))
                        let connection = try Connection(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: highWatermark)))
                        return AcceptedConnection(channel: connection, memory: gate.handle())
                    }
                }
            return KafkaListener(
                broker: broker, settings: settings, logger: logger, eventLoops: eventLoops, server: server, requestMemory: requestMemory)
        } catch {
            try? await eventLoops.shutdownGracefully()
            throw KafkaListenerError(
                message: "cannot listen for Kafka clients on \(settings.host):\(settings.port): \(error); is another sluice or Kafka broker using it? Change kafka_listener.listen")
        }
    }

    deinit {
        eventLoops.shutdownGracefully { _ in }
    }

    /// Connections open now.
    public var connectionCount: Int { openConnections.load(ordering: .relaxed) }
    /// Bytes of requests held now (read or being read, not yet answered), across connections.
    public var queuedRequestBytes: Int { requestMemory.reservedBytes }
    /// The most bytes of requests held at once since the listener started.
    public var peakQueuedRequestBytes: Int { requestMemory.peakReservedBytes }

    private struct Stopping: Error {}

    /// Serves until graceful shutdown (or cancellation), then closes every connection.
    public func run() async throws {
        let server = self.server
        logger.info("Kafka listener ready", metadata: ["kafka.listen": "\(settings.host):\(port)", "kafka.sasl": "\(!settings.saslPlainUsers.isEmpty)"])
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await self.broker.coordinator.runTimers() }
                group.addTask {
                    try? await gracefulShutdown()
                    await self.broker.coordinator.shutDown()
                    throw Stopping()
                }
                // The accept loop runs as a child task, so the group's cancellation reaches it.
                group.addTask {
                    try await server.executeThenClose { connections in
                        try await withThrowingDiscardingTaskGroup { clients in
                            for try await accepted in connections {
                                let connection = accepted.channel
                                guard self.openConnections.add(1, ordering: .relaxed).newValue <= self.settings.maxConnections else {
                                    self.openConnections.subtract(1, ordering: .relaxed)
                                    self.logger.warning(
                                        "Kafka connection refused: too many open",
                                        metadata: [
                                            "kafka.peer": "\(connection.channel.remoteAddress?.description ?? "?")",
                                            "kafka.max_connections": "\(self.settings.maxConnections)",
                                        ])
                                    try? await connection.channel.close()
                                    continue
                                }
                                clients.addTask {
                                    await self.serve(connection, memory: accepted.memory)
                                    self.openConnections.subtract(1, ordering: .relaxed)
                                }
                            }
                        }
                    }
                }
            }
        } catch is Stopping {
            logger.info("Kafka listener stopped")
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, memory: RequestMemoryGate.Handle) async {
        let peer = connection.channel.remoteAddress
        var session = KafkaConnectionSession(requiresAuthentication: !settings.saslPlainUsers.isEmpty, clientHost: peer?.ipAddress ?? "")
        do {
            try await connection.executeThenClose { requests, responses in
                for try await frame in requests {
                    let frameBytes = 4 + frame.readableBytes
                    let response = try await broker.respond(to: frame, session: &session)
                    // The request is answered: its bytes go back to the pool (the response's are
                    // the broker's, bounded by the response cap).
                    memory.release(frameBytes)
                    if let response { try await responses.write(response) }
                }
            }
        } catch let error as KafkaProtocolError {
            logger.notice("Kafka connection closed", metadata: ["kafka.peer": "\(peer?.description ?? "?")", "kafka.reason": "\(error)"])
        } catch is CancellationError {
            // shutting down
        } catch {
            logger.debug("Kafka connection ended", metadata: ["kafka.peer": "\(peer?.description ?? "?")", "error": "\(error)"])
        }
    }
}
