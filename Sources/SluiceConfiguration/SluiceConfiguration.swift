import SluiceLog

/// Everything `sluice run` needs, read from `config/sluice.yaml` (and the device profiles from its
/// `devices_dir`). Every field has the default documented in the example file.
public struct SluiceConfiguration: Sendable, Hashable {
    /// This gateway's id, carried in headers upstream. Default: the host name.
    public var gatewayID: String = "gateway"
    /// The data directory of the log. Default `/var/lib/sluice` (systemd's StateDirectory); a
    /// relative path is resolved against the configuration file's folder.
    public var dataDirectory: String = "/var/lib/sluice"
    /// Folder of device profiles (`*.yaml`). Default `/etc/sluice/devices`; relative paths are
    /// resolved against the configuration file's folder.
    public var devicesDirectory: String = "/etc/sluice/devices"
    /// The MQTT broker and session.
    public var mqtt = MQTTSettings()
    /// Log-wide durability settings.
    public var log = LogSettings()
    /// Settings applied to every topic unless the topic overrides them.
    public var topicDefaults = TopicConfiguration(partitionCount: 3)
    /// Per-topic settings (partition count, retention, …) by topic name.
    public var topics: [String: TopicConfiguration] = [:]
    /// The topic receiving rejected messages. Default `_dead_letters`, 1 partition.
    public var deadLetters = DeadLetterSettings()
    /// Forwarding to a central Kafka cluster; nil when the section is absent (nothing is forwarded).
    public var upstream: UpstreamSettings?
    /// The Kafka-protocol listener for local readers; nil when the section is absent (no listener).
    public var kafkaListener: KafkaListenerSettings?
    /// The disk budget of the data directory (the `storage` section). Default: no size limit,
    /// 64 MiB left free, `block` (nothing unforwarded is deleted).
    public var storage = DiskBudget()
    /// The operations HTTP endpoint (metrics, health, status page); nil when the section is absent
    /// or says `enabled: false`.
    public var metrics: MetricsSettings?
    /// Stream-processing jobs (the `streams:` section), in file order. Default none.
    public var streams: [StreamJobSettings] = []
    /// The device profiles loaded from `devicesDirectory`.
    public var profiles: [DeviceProfile] = []

    /// The defaults.
    public init() {}

    /// The settings of `topic`: its own entry, else the defaults (with the log-wide fsync policy).
    public func topicConfiguration(_ topic: String) -> TopicConfiguration {
        var configuration = topics[topic] ?? topicDefaults
        configuration.fsync = log.fsync
        return configuration
    }
}

/// The MQTT broker to subscribe to, and how.
public struct MQTTSettings: Sendable, Hashable {
    /// Broker host. Default `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// Broker port. Default 1883 (8883 is usual with TLS).
    public var port: Int = 1883
    /// Fixed client id, so the broker keeps the session (and queues messages) while Sluice is down. Default `sluice`.
    public var clientID: String = "sluice"
    /// MQTT protocol version. Default 3.1.1.
    public var protocolVersion: MQTTProtocolVersion = .v311
    /// Subscription QoS (0, 1 or 2). Default 1.
    public var qos: Int = 1
    /// Keepalive interval. Default 30 s.
    public var keepalive: Duration = .seconds(30)
    /// User name, if the broker wants one.
    public var username: String?
    /// Password, read from `password_file` when given (never put secrets in the config itself).
    public var password: String?
    /// TLS settings; nil for plain TCP.
    public var tls: TLSSettings?
    /// Extra subscription filters beyond those of the device profiles (their messages dead-letter as unknown unless a profile matches).
    public var extraSubscriptions: [String] = []
    /// Largest payload accepted; bigger ones go to dead letters. Default 256 KiB.
    public var maxPayloadBytes: Int = 256 * 1024
    /// How long ingest keeps reading after the first message of a burst before it writes the
    /// burst and acknowledges it: larger batches compress better and cost fewer writes, each
    /// message waits up to this long. Default 10 ms. The broker must allow enough messages in
    /// flight (mosquitto's `max_inflight_messages`) to fill it.
    public var batchLinger: Duration = .milliseconds(10)
    /// Reconnect backoff: first delay. Default 1 s.
    public var reconnectMinimum: Duration = .seconds(1)
    /// Reconnect backoff: largest delay. Default 30 s.
    public var reconnectMaximum: Duration = .seconds(30)

    /// The defaults.
    public init() {}
}

/// MQTT protocol versions Sluice speaks.
public enum MQTTProtocolVersion: String, Sendable, Hashable, CaseIterable {
    /// MQTT 3.1.1.
    case v311 = "3.1.1"
    /// MQTT 5.
    case v5 = "5"
}

/// TLS to the broker.
public struct TLSSettings: Sendable, Hashable {
    /// CA certificate file to verify the broker.
    public var caFile: String
    /// Client certificate (for brokers that require one).
    public var certificateFile: String?
    /// Client key for `certificateFile`.
    public var keyFile: String?
    /// Skip host name verification (testing only). Default false.
    public var isInsecure: Bool = false

    /// Creates TLS settings.
    public init(caFile: String, certificateFile: String? = nil, keyFile: String? = nil, isInsecure: Bool = false) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.isInsecure = isInsecure
    }
}

/// Log-wide durability settings.
public struct LogSettings: Sendable, Hashable {
    /// When appends are fsynced. Default group commit every 250 ms; `always` makes the MQTT
    /// acknowledgement wait for the fsync (power-loss safe).
    public var fsync: FsyncPolicy = .default

    /// The defaults.
    public init() {}
}

/// The dead-letter topic.
public struct DeadLetterSettings: Sendable, Hashable {
    /// Topic name. Default `_dead_letters`.
    public var topic: String = "_dead_letters"
    /// Its settings. Default 1 partition, 7 days.
    public var configuration = TopicConfiguration(partitionCount: 1)

    /// The defaults.
    public init() {}
}
