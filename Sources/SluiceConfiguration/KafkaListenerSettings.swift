/// The Kafka-protocol listener through which local applications read (and write) the log with
/// any Kafka client (the `kafka_listener:` section; absent = no listener).
public struct KafkaListenerSettings: Sendable, Hashable {
    /// The address to bind. Default `127.0.0.1` (only this gateway's own applications).
    public var host: String = "127.0.0.1"
    /// The port to bind. Default 9092.
    public var port: Int = 9092
    /// The host clients are told to connect to (Metadata, FindCoordinator). Default: `host`, or
    /// required when `host` is a wildcard address.
    public var advertisedHost: String?
    /// The port clients are told to connect to. Default: `port`.
    public var advertisedPort: Int?
    /// Most client connections open at once; more are closed at accept. Default 64.
    public var maxConnections: Int = 64
    /// The largest request frame accepted; a larger one closes its connection. Default 16 MiB.
    public var maxRequestBytes: Int = 16 << 20
    /// Requests read from one connection and not yet answered (clients pipeline); past this the
    /// listener stops reading that socket. Default 32.
    public var maxInFlightRequests: Int = 32
    /// The bytes of requests held at once across all connections (Kafka's
    /// `queued.max.request.bytes`); a frame that does not fit waits, unread, until others are
    /// answered (one frame alone is always admitted). Default 32 MiB.
    public var maxQueuedRequestBytes: Int = 32 << 20
    /// Whether Produce and Metadata may create unknown topics (with the topic defaults), as Kafka's
    /// `auto.create.topics.enable`. Default true.
    public var autoCreateTopics: Bool = true
    /// SASL/PLAIN users and passwords, read from `sasl_plain_users_file` (`user:password` per line).
    /// Empty = no authentication, allowed only on a loopback `host`.
    public var saslPlainUsers: [String: String] = [:]
    /// How long a new group waits for more members before its first assignment (Kafka's
    /// `group.initial.rebalance.delay.ms`). Default 3 s.
    public var groupInitialRebalanceDelay: Duration = .seconds(3)
    /// The session timeouts members may ask for (Kafka's `group.min/max.session.timeout.ms`).
    /// Default 6 s … 30 min.
    public var sessionTimeouts: ClosedRange<Duration> = .seconds(6) ... .seconds(1800)

    /// The defaults.
    public init() {}

    /// Whether `host` is a loopback address (127.0.0.0/8, ::1 or localhost).
    public var isLoopback: Bool { Self.isLoopback(host) }

    /// Whether `host` names a loopback address.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
