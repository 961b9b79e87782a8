/// What one device did during one aggregation window: the input of
/// ``Catalog/recordDeviceActivity(_:)``.
///
/// Ingest counts messages per device in memory and hands the catalog one value per active device
/// every few seconds — never one call per message. A plain value; `Sendable`.
public struct DeviceActivity: Hashable, Sendable {
    /// The device's id (the record key).
    public var deviceID: String
    /// The device profile (device class) that matched it; `nil` keeps what the catalog has.
    public var profile: String?
    /// The topic its messages went to; `nil` keeps what the catalog has.
    public var topic: String?
    /// How many messages it sent in the window.
    public var messageCount: Int64
    /// When its first message of the window arrived, in milliseconds since 1970.
    public var firstSeenMillis: Int64
    /// When its last message of the window arrived, in milliseconds since 1970.
    public var lastSeenMillis: Int64

    /// Creates an activity summary.
    /// - Parameters:
    ///   - deviceID: The device's id.
    ///   - profile: The device profile that matched it, if known.
    ///   - topic: The topic its messages went to, if known.
    ///   - messageCount: How many messages it sent in the window.
    ///   - firstSeenMillis: Arrival of its first message in the window, in milliseconds since 1970.
    ///   - lastSeenMillis: Arrival of its last message in the window, in milliseconds since 1970.
    public init(
        deviceID: String, profile: String?, topic: String?, messageCount: Int64,
        firstSeenMillis: Int64, lastSeenMillis: Int64
    ) {
        self.deviceID = deviceID
        self.profile = profile
        self.topic = topic
        self.messageCount = messageCount
        self.firstSeenMillis = firstSeenMillis
        self.lastSeenMillis = lastSeenMillis
    }
}
