import Logging
import NIOCore
import NIOPosix
import Synchronization
import SluiceCatalog
import SluiceConfiguration
import SluiceLog

/// Answers Kafka requests from the log store and the catalog, as one broker that leads every
/// partition: the protocol logic of the listener, with no sockets in it.
///
/// Thread-safety: immutable apart from the group coordinator (an actor) and the log (thread-safe);
/// blocking work (fsync for `acks=all`, SQLite) runs on `blockingPool`, off the cooperative pool.
public final class KafkaBroker: Sendable {
    /// The node id this broker reports for itself (it leads every partition).
    static let nodeID: Int32 = 1

    let log: LogManager
    let catalog: Catalog?
    let settings: KafkaListenerSettings
    let clusterID: String
    let topicConfiguration: @Sendable (String) -> TopicConfiguration
    let coordinator: GroupCoordinator
    /// The port the listener bound (differs from the configured one only for port 0).
    let boundPort = Atomic<Int>(0)
    /// Idempotent producers: ids handed out and the last batch seen per producer and partition.
    let producers: ProducerRegistry
    let blockingPool: NIOThreadPool
    let logger: Logger
    /// The most record bytes one Fetch response carries (clients just fetch again): bounds memory
    /// whatever `fetch.max.bytes` a client asks for.
    let maxFetchResponseBytes: Int

    /// Creates a broker over an open log.
    /// - Parameters:
    ///   - log: the log store; topics created through the listener are opened in it.
    ///   - catalog: where consumer groups commit offsets; nil disables the offset APIs.
    ///   - settings: the listener's settings (advertised address, topic creation, group timeouts).
    ///   - clusterID: the cluster id reported to clients (the gateway id).
    ///   - topicConfiguration: the settings of a topic created by a client, by name.
    ///   - blockingPool: threads for fsync and SQLite calls.
    public init(
        log: LogManager, catalog: Catalog?, settings: KafkaListenerSettings, clusterID: String,
        topicConfiguration: @escaping @Sendable (String) -> TopicConfiguration, blockingPool: NIOThreadPool,
        maxFetchResponseBytes: Int = 8 << 20, logger: Logger
    ) {
        self.log = log
        self.catalog = catalog
        self.settings = settings
        self.clusterID = clusterID
        self.topicConfiguration = topicConfiguration
        self.blockingPool = blockingPool
        self.maxFetchResponseBytes = maxFetchResponseBytes
        self.logger = logger
        self.producers = ProducerRegistry(firstID: LogClock.nowMillis() << 10)
        self.coordinator = GroupCoordinator(
            initialRebalanceDelay: settings.groupInitialRebalanceDelay, sessionTimeouts: settings.sessionTimeouts, logger: logger)
    }

    /// The host and port clients are told to connect to.
    var advertisedAddress: (host: String, port: Int32) {
        let bound = boundPort.load(ordering: .relaxed)
        return (settings.advertisedHost ?? settings.host, Int32(settings.advertisedPort ?? (bound != 0 ? bound : settings.port)))
    }

    /// Runs `body` on the blocking pool.
    func blocking<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await blockingPool.runIfActive(body)
    }

    /// Answers one request frame (header and body, without the length prefix).
    /// - Parameters:
    ///   - frame: the request.
    ///   - session: the connection's state (SASL).
    /// - Returns: the response frame, length prefix included; nil when no response is due
    ///   (`acks=0` produce).
    /// - Throws: `KafkaProtocolError` when the request cannot be answered: the caller logs the
    ///   reason and closes the connection.
    func respond(to frame: ByteBuffer, session: inout KafkaConnectionSession) async throws(KafkaProtocolError) -> ByteBuffer? {
        if session.expectsRawSASLToken {
            return try respondToRawSASLToken(frame, session: &session)
        }
        let (header, reader) = try KafkaRequestHeader.read(frame)
        guard let api = KafkaAPIKey(rawValue: header.apiKey) else {
            throw KafkaProtocolError("API key \(header.apiKey) is not served by Sluice (client \(header.clientID ?? "-"))")
        }
        guard api.versions.contains(header.apiVersion) else {
            if api == .apiVersions { return unsupportedApiVersionsResponse(header) }
            throw KafkaProtocolError(
                "\(api.name) v\(header.apiVersion) is not served (versions \(api.versions.lowerBound)–\(api.versions.upperBound)); the client ignored ApiVersions")
        }
        if session.requiresAuthentication && ![.apiVersions, .saslHandshake, .saslAuthenticate].contains(api) {
            throw KafkaProtocolError("\(api.name) before SASL authentication: this listener requires SASL/PLAIN")
        }
        let isFlexible = api.isFlexible(header.apiVersion)
        var response = KafkaResponseFrame(correlationID: header.correlationID, flexibleHeader: isFlexible && api != .apiVersions)
        var body = KafkaProtocolWriter(buffer: response.buffer, isFlexible: isFlexible)
        var request = reader
        let version = header.apiVersion
        switch api {
        case .apiVersions: try apiVersions(&request, version: version, into: &body)
        case .metadata: try metadata(&request, version: version, into: &body)
        case .produce:
            guard try await produce(&request, version: version, into: &body) else { return nil }
        case .fetch: try await fetch(&request, version: version, into: &body)
        case .listOffsets: try listOffsets(&request, version: version, into: &body)
        case .createTopics: try createTopics(&request, version: version, into: &body)
        case .initProducerID: try initProducerID(&request, version: version, into: &body)
        case .findCoordinator: try findCoordinator(&request, version: version, into: &body)
        case .joinGroup: try await joinGroup(&request, version: version, clientID: header.clientID ?? "", session: session, into: &body)
        case .syncGroup: try await syncGroup(&request, version: version, into: &body)
        case .heartbeat: try await heartbeat(&request, version: version, into: &body)
        case .leaveGroup: try await leaveGroup(&request, version: version, into: &body)
        case .offsetCommit: try await offsetCommit(&request, version: version, into: &body)
        case .offsetFetch: try await offsetFetch(&request, version: version, into: &body)
        case .listGroups: try await listGroups(&request, version: version, into: &body)
        case .describeGroups: try await describeGroups(&request, version: version, into: &body)
        case .saslHandshake: try saslHandshake(&request, version: version, session: &session, into: &body)
        case .saslAuthenticate: try saslAuthenticate(&request, version: version, session: &session, into: &body)
        }
        response.buffer = body.buffer
        return response.finish()
    }
}
