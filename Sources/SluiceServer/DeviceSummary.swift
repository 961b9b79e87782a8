/// What the device registry says, as the status page and `sluice status` show it: how many
/// devices spoke in the last minute, and the ones gone quiet (longest silent first).
public struct DeviceSummary: Codable, Sendable, Equatable {
    /// A device not heard from for at least the quiet threshold.
    public struct QuietDevice: Codable, Sendable, Equatable {
        public var deviceID: String
        public var profile: String?
        /// When it last spoke (ms since the epoch).
        public var lastSeenMillis: Int64

        /// Creates an entry.
        public init(deviceID: String, profile: String?, lastSeenMillis: Int64) {
            self.deviceID = deviceID
            self.profile = profile
            self.lastSeenMillis = lastSeenMillis
        }
    }

    /// Devices the gateway has ever heard from.
    public var knownDevices: Int
    /// Devices heard from in the last 60 s.
    public var seenLastMinute: Int
    /// The silence after which a device counts as quiet (`metrics.quiet_after`).
    public var quietAfterSeconds: Int
    /// How many devices are quiet.
    public var quietCount: Int
    /// The longest-silent quiet devices, at most ``listLimit``.
    public var quiet: [QuietDevice]

    /// The most quiet devices listed.
    public static let listLimit = 20

    /// Creates a summary.
    public init(knownDevices: Int, seenLastMinute: Int, quietAfterSeconds: Int, quietCount: Int, quiet: [QuietDevice]) {
        self.knownDevices = knownDevices
        self.seenLastMinute = seenLastMinute
        self.quietAfterSeconds = quietAfterSeconds
        self.quietCount = quietCount
        self.quiet = quiet
    }
}
