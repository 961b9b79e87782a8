/// The Kafka APIs the listener serves, with the versions it accepts and the first flexible one.
///
/// The ranges cover what librdkafka 2.0–2.16 (kcat, confluent-kafka) and kafka-python 2.x–3.x
/// negotiate: a client uses the highest version both sides support, so every range reaches a
/// flexible version (KIP-482) and starts low enough for old clients.
enum KafkaAPIKey: Int16, CaseIterable, Sendable {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case offsetCommit = 8
    case offsetFetch = 9
    case findCoordinator = 10
    case joinGroup = 11
    case heartbeat = 12
    case leaveGroup = 13
    case syncGroup = 14
    case describeGroups = 15
    case listGroups = 16
    case saslHandshake = 17
    case apiVersions = 18
    case createTopics = 19
    case initProducerID = 22
    case saslAuthenticate = 36

    /// The versions served.
    var versions: ClosedRange<Int16> {
        switch self {
        case .produce: 3...9  // v3: RecordBatch v2 only
        case .fetch: 4...12  // v4: RecordBatch v2; v13 would need topic ids
        case .listOffsets: 1...6
        case .metadata: 0...9
        case .offsetCommit: 2...8
        case .offsetFetch: 1...7
        case .findCoordinator: 0...3
        case .joinGroup: 0...7
        case .heartbeat: 0...4
        case .leaveGroup: 0...4
        case .syncGroup: 0...5
        case .describeGroups: 0...5
        case .listGroups: 0...4
        case .saslHandshake: 0...1
        case .apiVersions: 0...3
        case .createTopics: 0...5
        case .initProducerID: 0...4
        case .saslAuthenticate: 0...2
        }
    }

    /// The first flexible version (compact strings and arrays, tagged fields).
    var firstFlexibleVersion: Int16 {
        switch self {
        case .produce: 9
        case .fetch: 12
        case .listOffsets: 6
        case .metadata: 9
        case .offsetCommit: 8
        case .offsetFetch: 6
        case .findCoordinator: 3
        case .joinGroup: 6
        case .heartbeat: 4
        case .leaveGroup: 4
        case .syncGroup: 4
        case .describeGroups: 5
        case .listGroups: 3
        case .saslHandshake: Int16.max  // never flexible
        case .apiVersions: 3
        case .createTopics: 5
        case .initProducerID: 2
        case .saslAuthenticate: 2
        }
    }

    /// Whether `version` of this API is flexible.
    func isFlexible(_ version: Int16) -> Bool { version >= firstFlexibleVersion }

    /// The name Kafka's documentation uses.
    var name: String {
        switch self {
        case .produce: "Produce"
        case .fetch: "Fetch"
        case .listOffsets: "ListOffsets"
        case .metadata: "Metadata"
        case .offsetCommit: "OffsetCommit"
        case .offsetFetch: "OffsetFetch"
        case .findCoordinator: "FindCoordinator"
        case .joinGroup: "JoinGroup"
        case .heartbeat: "Heartbeat"
        case .leaveGroup: "LeaveGroup"
        case .syncGroup: "SyncGroup"
        case .describeGroups: "DescribeGroups"
        case .listGroups: "ListGroups"
        case .saslHandshake: "SaslHandshake"
        case .apiVersions: "ApiVersions"
        case .createTopics: "CreateTopics"
        case .initProducerID: "InitProducerId"
        case .saslAuthenticate: "SaslAuthenticate"
        }
    }
}
