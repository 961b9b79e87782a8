internal import GRDB

/// A device the gateway has heard from: a row of the catalog's `device` table.
///
/// On disk (SQLite, `WITHOUT ROWID`): `device(device_id TEXT PRIMARY KEY, profile TEXT, topic TEXT,
/// first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, message_count INTEGER NOT NULL)`, times in
/// milliseconds since 1970. A plain value; `Sendable`.
public struct DeviceRecord: Hashable, Sendable {
    /// The device's id (the record key).
    public var deviceID: String
    /// The device profile that last matched it, if known.
    public var profile: String?
    /// The topic its messages last went to, if known.
    public var topic: String?
    /// When its first message ever arrived, in milliseconds since 1970.
    public var firstSeenMillis: Int64
    /// When its latest message arrived, in milliseconds since 1970.
    public var lastSeenMillis: Int64
    /// How many messages it has sent since it was first seen.
    public var messageCount: Int64

    /// Creates a device value.
    /// - Parameters:
    ///   - deviceID: The device's id.
    ///   - profile: The device profile that matched it, if known.
    ///   - topic: The topic its messages went to, if known.
    ///   - firstSeenMillis: Its first message's arrival, in milliseconds since 1970.
    ///   - lastSeenMillis: Its latest message's arrival, in milliseconds since 1970.
    ///   - messageCount: How many messages it has sent.
    public init(
        deviceID: String, profile: String?, topic: String?, firstSeenMillis: Int64, lastSeenMillis: Int64,
        messageCount: Int64
    ) {
        self.deviceID = deviceID
        self.profile = profile
        self.topic = topic
        self.firstSeenMillis = firstSeenMillis
        self.lastSeenMillis = lastSeenMillis
        self.messageCount = messageCount
    }

    /// Decodes `SELECT device_id, profile, topic, first_seen, last_seen, message_count` by column
    /// position (no Codable).
    init(row: Row) {
        self.init(
            deviceID: row[0], profile: row[1], topic: row[2], firstSeenMillis: row[3], lastSeenMillis: row[4],
            messageCount: row[5])
    }
}
