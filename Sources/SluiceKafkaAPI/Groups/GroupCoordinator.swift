import Logging

/// The coordinator of every consumer group on this gateway: membership, generations and
/// assignments (Kafka's classic group protocol). Committed offsets are not kept here but in the
/// catalog, so they survive restarts; membership does not (after a restart members rejoin, as
/// they do when a Kafka coordinator moves).
///
/// Deadlines (the initial rebalance delay, rebalance timeouts, session timeouts) are checked by
/// ``runTimers()`` ten times a second.
actor GroupCoordinator {
    private var groups: [String: ConsumerGroup] = [:]
    private let initialRebalanceDelay: Duration
    private let sessionTimeouts: ClosedRange<Duration>
    private let logger: Logger
    private var isShutDown = false

    init(initialRebalanceDelay: Duration, sessionTimeouts: ClosedRange<Duration>, logger: Logger) {
        self.initialRebalanceDelay = initialRebalanceDelay
        self.sessionTimeouts = sessionTimeouts
        self.logger = logger
    }

    /// A JoinGroup request, as the coordinator needs it.
    struct JoinRequest: Sendable {
        var groupID: String
        var memberID: String
        var groupInstanceID: String?
        var clientID: String
        var clientHost: String
        var sessionTimeout: Duration
        var rebalanceTimeout: Duration
        var protocolType: String
        var protocols: [(name: String, metadata: [UInt8])]
    }

    // MARK: Requests

    /// JoinGroup: adds or updates the member and returns when the rebalance completes.
    func join(_ request: JoinRequest) async -> JoinGroupOutcome {
        guard !isShutDown else { return JoinGroupOutcome(error: .coordinatorNotAvailable) }
        guard !request.groupID.isEmpty else { return JoinGroupOutcome(error: .invalidGroupID) }
        guard sessionTimeouts.contains(request.sessionTimeout) else { return JoinGroupOutcome(error: .invalidSessionTimeout) }
        let now = ContinuousClock.now
        var group = groups[request.groupID] ?? ConsumerGroup(id: request.groupID)
        let names = request.protocols.map(\.name)
        var member: GroupMember
        if request.memberID.isEmpty {
            guard group.accepts(protocolType: request.protocolType, protocols: names) else {
                return JoinGroupOutcome(error: .inconsistentGroupProtocol)
            }
            let prefix = request.clientID.isEmpty ? "member" : request.clientID
            member = GroupMember(
                id: "\(prefix)-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))", groupInstanceID: request.groupInstanceID,
                clientID: request.clientID, clientHost: request.clientHost, sessionTimeout: request.sessionTimeout,
                rebalanceTimeout: request.rebalanceTimeout, protocolType: request.protocolType, protocols: request.protocols,
                lastSeen: now)
            logger.info("consumer joins group", metadata: ["kafka.group": "\(request.groupID)", "kafka.member": "\(member.id)"])
        } else {
            guard let known = group.members[request.memberID] else { return JoinGroupOutcome(error: .unknownMemberID) }
            let others = group.orderedMembers.filter { $0.id != known.id }
            guard request.protocolType == known.protocolType,
                others.allSatisfy({ other in other.protocols.contains { names.contains($0.name) } })
            else { return JoinGroupOutcome(error: .inconsistentGroupProtocol) }
            member = known
            member.protocols = request.protocols
            member.sessionTimeout = request.sessionTimeout
            member.rebalanceTimeout = request.rebalanceTimeout
            member.lastSeen = now
            // A second JoinGroup replaces the first, which is told to rejoin.
            member.pendingJoin?.resume(returning: JoinGroupOutcome(error: .rebalanceInProgress))
            member.pendingJoin = nil
        }
        let joining = member
        return await withCheckedContinuation { continuation in
            var joined = joining
            joined.pendingJoin = continuation
            group.add(joined)
            prepareRebalance(&group, now: now, reason: "member \(joined.id) joined")
            groups[request.groupID] = group
            tryCompleteJoin(request.groupID, now: now)
        }
    }

    /// SyncGroup: the leader hands over every member's assignment; the others wait for theirs.
    func sync(groupID: String, generation: Int32, memberID: String, assignments: [(String, [UInt8])]) async -> SyncGroupOutcome {
        guard !isShutDown else { return SyncGroupOutcome(error: .coordinatorNotAvailable) }
        guard var group = groups[groupID], var member = group.members[memberID] else { return SyncGroupOutcome(error: .unknownMemberID) }
        guard generation == group.generation else { return SyncGroupOutcome(error: .illegalGeneration) }
        member.lastSeen = .now
        group.members[memberID] = member
        groups[groupID] = group
        switch group.phase {
        case .empty: return SyncGroupOutcome(error: .unknownMemberID)
        case .preparingRebalance: return SyncGroupOutcome(error: .rebalanceInProgress)
        case .stable: return outcome(of: member, in: group)
        case .completingRebalance:
            guard memberID == group.leaderID else {
                return await withCheckedContinuation { continuation in
                    groups[groupID]?.members[memberID]?.pendingSync = continuation
                }
            }
            let given = Dictionary(assignments, uniquingKeysWith: { first, _ in first })
            for id in group.memberOrder {
                group.members[id]?.assignment = given[id] ?? []
            }
            group.phase = .stable
            for id in group.memberOrder {
                guard let waiting = group.members[id], let pending = waiting.pendingSync else { continue }
                group.members[id]?.pendingSync = nil
                pending.resume(returning: outcome(of: waiting, in: group))
            }
            groups[groupID] = group
            logger.info(
                "group stable",
                metadata: [
                    "kafka.group": "\(groupID)", "kafka.generation": "\(group.generation)", "kafka.members": "\(group.members.count)",
                    "kafka.protocol": "\(group.protocolName ?? "")",
                ])
            return outcome(of: group.members[memberID] ?? member, in: group)
        }
    }

    /// Heartbeat: keeps the member alive, and tells it when the group rebalances.
    func heartbeat(groupID: String, generation: Int32, memberID: String) -> KafkaErrorCode {
        guard !isShutDown else { return .coordinatorNotAvailable }
        guard var group = groups[groupID], group.members[memberID] != nil else { return .unknownMemberID }
        guard generation == group.generation else { return .illegalGeneration }
        group.members[memberID]?.lastSeen = .now
        groups[groupID] = group
        return group.phase == .preparingRebalance ? .rebalanceInProgress : .none
    }

    /// LeaveGroup: removes the members (their partitions go to the others at the next rebalance).
    /// - Returns: an error per member id (UNKNOWN_MEMBER_ID for strangers).
    func leave(groupID: String, memberIDs: [String]) -> [KafkaErrorCode] {
        guard var group = groups[groupID] else { return memberIDs.map { _ in .unknownMemberID } }
        let now = ContinuousClock.now
        let errors = memberIDs.map { id -> KafkaErrorCode in
            guard let removed = group.remove(id) else { return .unknownMemberID }
            answerRemoved(removed)
            logger.info("consumer leaves group", metadata: ["kafka.group": "\(groupID)", "kafka.member": "\(id)"])
            return .none
        }
        prepareRebalance(&group, now: now, reason: "members left")
        groups[groupID] = group
        tryCompleteJoin(groupID, now: now)
        return errors
    }

    /// Whether an OffsetCommit from this member and generation may be stored. A commit without a
    /// member (generation -1) is accepted only while the group has no members, as Kafka does.
    func mayCommit(groupID: String, generation: Int32, memberID: String) -> KafkaErrorCode {
        guard !isShutDown else { return .coordinatorNotAvailable }
        guard var group = groups[groupID], !group.members.isEmpty else {
            return generation < 0 ? .none : .unknownMemberID
        }
        if generation < 0 && memberID.isEmpty { return .unknownMemberID }
        guard group.members[memberID] != nil else { return .unknownMemberID }
        guard generation == group.generation else { return .illegalGeneration }
        guard group.phase != .completingRebalance else { return .rebalanceInProgress }
        group.members[memberID]?.lastSeen = .now
        groups[groupID] = group
        return .none
    }

    /// A group as DescribeGroups shows it; nil if the coordinator does not know it.
    func describe(_ groupID: String) -> ConsumerGroup? { groups[groupID] }

    /// Every group with members or a known state: id, protocol type and state.
    func list() -> [(id: String, protocolType: String, state: ConsumerGroup.Phase)] {
        groups.values.sorted { $0.id < $1.id }.map { ($0.id, $0.protocolType ?? "consumer", $0.phase) }
    }

    /// Answers every waiting request and refuses new ones: the listener is stopping.
    func shutDown() {
        isShutDown = true
        for id in groups.keys {
            for memberID in groups[id]!.memberOrder {
                if let removed = groups[id]!.members[memberID] {
                    removed.pendingJoin?.resume(returning: JoinGroupOutcome(error: .coordinatorNotAvailable))
                    removed.pendingSync?.resume(returning: SyncGroupOutcome(error: .coordinatorNotAvailable))
                    groups[id]!.members[memberID]?.pendingJoin = nil
                    groups[id]!.members[memberID]?.pendingSync = nil
                }
            }
        }
    }

    // MARK: Timers

    /// Checks the deadlines ten times a second until the task is cancelled.
    func runTimers() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            expireDeadlines(now: .now)
        }
    }

    /// Evicts members whose session timed out, and ends join phases whose time is up.
    func expireDeadlines(now: ContinuousClock.Instant) {
        for id in Array(groups.keys) {
            guard var group = groups[id] else { continue }
            var expired: [String] = []
            for member in group.orderedMembers
            where member.pendingJoin == nil && member.pendingSync == nil && now - member.lastSeen > member.sessionTimeout {
                expired.append(member.id)
            }
            for memberID in expired {
                if let removed = group.remove(memberID) { answerRemoved(removed) }
                logger.info("consumer session expired", metadata: ["kafka.group": "\(id)", "kafka.member": "\(memberID)"])
            }
            if !expired.isEmpty { prepareRebalance(&group, now: now, reason: "sessions expired") }
            if group.phase == .preparingRebalance {
                if let ends = group.initialDelayEnds, now >= ends { group.initialDelayEnds = nil }
                if let deadline = group.joinDeadline, now >= deadline {
                    for member in group.orderedMembers where member.pendingJoin == nil {
                        _ = group.remove(member.id)
                        logger.info("consumer did not rejoin in time", metadata: ["kafka.group": "\(id)", "kafka.member": "\(member.id)"])
                    }
                    group.initialDelayEnds = nil
                }
            }
            groups[id] = group
            tryCompleteJoin(id, now: now)
        }
    }

    // MARK: Rebalancing

    private func prepareRebalance(_ group: inout ConsumerGroup, now: ContinuousClock.Instant, reason: String) {
        let longestRebalance = group.orderedMembers.map(\.rebalanceTimeout).max() ?? .seconds(60)
        switch group.phase {
        case .empty:
            group.initialDelayEnds = now + initialRebalanceDelay
            group.joinDeadline = now + longestRebalance
        case .preparingRebalance:
            if group.initialDelayEnds != nil, let deadline = group.joinDeadline {
                group.initialDelayEnds = min(now + initialRebalanceDelay, deadline)
            }
            return
        case .stable, .completingRebalance:
            group.joinDeadline = now + longestRebalance
            for id in group.memberOrder {
                if let pending = group.members[id]?.pendingSync {
                    pending.resume(returning: SyncGroupOutcome(error: .rebalanceInProgress))
                    group.members[id]?.pendingSync = nil
                }
            }
        }
        group.phase = group.members.isEmpty ? .empty : .preparingRebalance
        if group.phase == .preparingRebalance {
            logger.debug("group rebalancing", metadata: ["kafka.group": "\(group.id)", "kafka.reason": "\(reason)"])
        }
    }

    private func tryCompleteJoin(_ groupID: String, now: ContinuousClock.Instant) {
        guard var group = groups[groupID], group.phase == .preparingRebalance else { return }
        defer { groups[groupID] = group }
        if group.members.isEmpty {
            group.phase = .empty
            group.joinDeadline = nil
            group.initialDelayEnds = nil
            return
        }
        if let ends = group.initialDelayEnds, now < ends { return }
        guard group.orderedMembers.allSatisfy({ $0.pendingJoin != nil }) else { return }

        group.generation += 1
        group.protocolName = group.selectProtocol()
        if group.leaderID.map({ group.members[$0] == nil }) ?? true { group.leaderID = group.memberOrder.first }
        group.phase = .completingRebalance
        group.joinDeadline = nil
        group.initialDelayEnds = nil
        let protocolName = group.protocolName ?? ""
        let everyone = group.orderedMembers.map { (id: $0.id, groupInstanceID: $0.groupInstanceID, metadata: $0.metadata(for: protocolName)) }
        for id in group.memberOrder {
            guard let member = group.members[id], let pending = member.pendingJoin else { continue }
            group.members[id]?.pendingJoin = nil
            group.members[id]?.lastSeen = now
            pending.resume(
                returning: JoinGroupOutcome(
                    error: .none, generation: group.generation, protocolType: group.protocolType, protocolName: group.protocolName,
                    leaderID: group.leaderID ?? "", memberID: id, members: id == group.leaderID ? everyone : []))
        }
    }

    private func outcome(of member: GroupMember, in group: ConsumerGroup) -> SyncGroupOutcome {
        SyncGroupOutcome(error: .none, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment)
    }

    private func answerRemoved(_ member: GroupMember) {
        member.pendingJoin?.resume(returning: JoinGroupOutcome(error: .unknownMemberID))
        member.pendingSync?.resume(returning: SyncGroupOutcome(error: .unknownMemberID))
    }
}
