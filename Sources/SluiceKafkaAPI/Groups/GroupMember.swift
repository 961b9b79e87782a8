/// One member of a consumer group, as the coordinator knows it.
struct GroupMember: Sendable {
    /// The id the coordinator gave it.
    var id: String
    /// Static membership id (KIP-345), if the client set `group.instance.id`.
    var groupInstanceID: String?
    var clientID: String
    var clientHost: String
    var sessionTimeout: Duration
    var rebalanceTimeout: Duration
    var protocolType: String
    /// The assignors the member supports, most preferred first, with its subscription metadata.
    var protocols: [(name: String, metadata: [UInt8])]
    /// What the leader assigned it in the last SyncGroup.
    var assignment: [UInt8] = []
    /// The member's JoinGroup waiting for the rebalance to complete.
    var pendingJoin: CheckedContinuation<JoinGroupOutcome, Never>?
    /// The member's SyncGroup waiting for the leader's assignment.
    var pendingSync: CheckedContinuation<SyncGroupOutcome, Never>?
    /// When the member was last heard from (any request).
    var lastSeen: ContinuousClock.Instant

    func metadata(for protocolName: String) -> [UInt8] {
        protocols.first { $0.name == protocolName }?.metadata ?? []
    }
}

/// What a JoinGroup request gets once the rebalance completes (or fails).
struct JoinGroupOutcome: Sendable {
    var error: KafkaErrorCode
    var generation: Int32 = -1
    var protocolType: String?
    var protocolName: String?
    var leaderID: String = ""
    var memberID: String = ""
    /// Every member and its metadata, for the leader only.
    var members: [(id: String, groupInstanceID: String?, metadata: [UInt8])] = []
}

/// What a SyncGroup request gets: the member's assignment.
struct SyncGroupOutcome: Sendable {
    var error: KafkaErrorCode
    var protocolType: String?
    var protocolName: String?
    var assignment: [UInt8] = []
}
