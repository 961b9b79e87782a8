/// One consumer group's membership, in Kafka's classic rebalance protocol (KIP-62 timeouts,
/// client-side assignors): members join, the coordinator picks a leader and a protocol all
/// members support, the leader computes the assignment and hands it over in SyncGroup.
///
/// Not thread-safe: owned by the `GroupCoordinator` actor.
struct ConsumerGroup {
    /// Kafka's group states.
    enum Phase: String, Sendable {
        case empty = "Empty"
        case preparingRebalance = "PreparingRebalance"
        case completingRebalance = "CompletingRebalance"
        case stable = "Stable"
    }

    let id: String
    var phase: Phase = .empty
    var generation: Int32 = 0
    var protocolType: String?
    var protocolName: String?
    var leaderID: String?
    /// Members in join order.
    var members: [String: GroupMember] = [:]
    var memberOrder: [String] = []
    /// When the current join phase ends even if some members have not rejoined.
    var joinDeadline: ContinuousClock.Instant?
    /// A new group waits this long after the last new member before its first assignment.
    var initialDelayEnds: ContinuousClock.Instant?

    init(id: String) { self.id = id }

    var orderedMembers: [GroupMember] { memberOrder.compactMap { members[$0] } }

    /// The protocol every member supports that most members prefer (Kafka's vote).
    func selectProtocol() -> String? {
        let all = orderedMembers
        guard let first = all.first else { return nil }
        let candidates = first.protocols.map(\.name).filter { name in all.allSatisfy { $0.protocols.contains { $0.name == name } } }
        guard !candidates.isEmpty else { return nil }
        var votes: [String: Int] = [:]
        for member in all {
            if let choice = member.protocols.first(where: { candidates.contains($0.name) })?.name { votes[choice, default: 0] += 1 }
        }
        return candidates.max { (votes[$0] ?? 0) < (votes[$1] ?? 0) }
    }

    /// Whether a new member supporting `protocols` can join (shares the type and one protocol).
    func accepts(protocolType: String, protocols: [String]) -> Bool {
        guard !members.isEmpty else { return !protocols.isEmpty }
        guard protocolType == self.protocolType else { return false }
        return orderedMembers.allSatisfy { member in member.protocols.contains { protocols.contains($0.name) } }
    }

    mutating func add(_ member: GroupMember) {
        if members[member.id] == nil { memberOrder.append(member.id) }
        members[member.id] = member
        protocolType = member.protocolType
    }

    /// Removes a member; returns it (its pending requests must still be answered).
    mutating func remove(_ memberID: String) -> GroupMember? {
        memberOrder.removeAll { $0 == memberID }
        let removed = members.removeValue(forKey: memberID)
        if leaderID == memberID { leaderID = nil }
        if members.isEmpty { protocolType = nil }
        return removed
    }
}
