/// What one device did since ingest last handed its activity over: the device registry's input
/// (see ``IngestStatistics/takeDeviceActivity()``). A plain value.
public struct IngestDeviceActivity: Sendable, Equatable {
    /// The device's id (the record key).
    public var deviceID: String
    /// The device profile that matched it.
    public var profile: String
    /// The topic its records went to.
    public var topic: String
    /// Messages accepted.
    public var messageCount: Int
    /// Arrival of the first and the last of them (ms since the epoch).
    public var firstSeenMillis: Int64
    public var lastSeenMillis: Int64

    /// Creates an activity summary of one message.
    public init(deviceID: String, profile: String, topic: String, messageCount: Int = 1, firstSeenMillis: Int64, lastSeenMillis: Int64) {
        self.deviceID = deviceID
        self.profile = profile
        self.topic = topic
        self.messageCount = messageCount
        self.firstSeenMillis = firstSeenMillis
        self.lastSeenMillis = lastSeenMillis
    }

    /// Adds a later window's activity of the same device.
    mutating func merge(_ other: IngestDeviceActivity) {
        messageCount += other.messageCount
        firstSeenMillis = min(firstSeenMillis, other.firstSeenMillis)
        lastSeenMillis = max(lastSeenMillis, other.lastSeenMillis)
        profile = other.profile
        topic = other.topic
    }
}
